/**
 * Whether this tenant can be used right now. Set when any call answers `TENANT_SUSPENDED`,
 * `TENANT_GONE`, `TENANT_NOT_FOUND`, `TENANT_NOT_READY` or `TENANT_MOVING`; the portal then shows that state
 * instead of its pages, whoever is signed in.
 */
export interface Unavailable {
  code: string;
  message: string;
}

export class TenantAvailability {
  private current: Unavailable | null = null;
  private readonly listeners = new Set<() => void>();

  get(): Unavailable | null {
    return this.current;
  }

  set(value: Unavailable | null): void {
    if (value?.code === this.current?.code && value?.message === this.current?.message) return;
    this.current = value;
    for (const l of this.listeners) l();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
