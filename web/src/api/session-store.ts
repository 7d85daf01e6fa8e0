/**
 * A value kept in `sessionStorage` (one tab, one origin) and in memory, with change listeners.
 * The token-storage policy that uses it is in docs/web.md.
 */
export class SessionStore<T> {
  private value: T | null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly key: string,
    private readonly storage: Storage | null = typeof sessionStorage === 'undefined' ? null : sessionStorage,
    private readonly isValid: (v: unknown) => v is T = (v: unknown): v is T => v !== null && v !== undefined,
  ) {
    this.value = this.read();
  }

  get(): T | null {
    return this.value;
  }

  set(value: T | null): void {
    this.value = value;
    try {
      if (value === null) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify(value));
    } catch {
      // Storage full or disabled (private mode): the session lives in memory for this page only.
    }
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private read(): T | null {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return null;
      const parsed: unknown = JSON.parse(raw);
      return this.isValid(parsed) ? parsed : null;
    } catch {
      return null;
    }
  }
}
