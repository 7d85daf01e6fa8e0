/**
 * `XMLHttpRequest` for component tests, answered by the stubbed `fetch` (test/fetchMock.ts), so
 * uploads are recorded and answered by the same routes as every other call. It reports half
 * the body as sent at once, then waits for `gate` (if given) before sending, so a test can see
 * the progress bar and cancel.
 */
import { vi } from 'vitest';

interface ProgressLike {
  loaded: number;
  total: number;
  lengthComputable: boolean;
}

async function bodyText(body: unknown): Promise<string | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  const blob = body as Blob;
  if (typeof blob.text === 'function') return blob.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(blob);
  });
}

export function installFakeXhr({ gate }: { gate?: Promise<void> } = {}) {
  class FakeXhr {
    upload: { onprogress: ((e: ProgressLike) => void) | null } = { onprogress: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    status = 0;
    statusText = '';
    responseText = '';
    private method = 'GET';
    private url = '';
    private readonly headers = new Headers();
    private responseHeaders = new Headers();
    private aborted = false;

    open(method: string, url: string) {
      this.method = method;
      this.url = new URL(url, window.location.href).href;
    }

    setRequestHeader(name: string, value: string) {
      this.headers.set(name, value);
    }

    getAllResponseHeaders(): string {
      return [...this.responseHeaders].map(([k, v]) => `${k}: ${v}`).join('\r\n');
    }

    abort() {
      if (this.aborted) return;
      this.aborted = true;
      this.onabort?.();
    }

    send(body: unknown) {
      void (async () => {
        const total = (body as Blob | null)?.size ?? 0;
        this.upload.onprogress?.({ loaded: Math.floor(total / 2), total, lengthComputable: true });
        if (gate) await gate;
        if (this.aborted) return;
        try {
          const text = await bodyText(body);
          const response = await globalThis.fetch(new Request(this.url, { method: this.method, headers: this.headers, body: text }));
          if (this.aborted) return;
          this.upload.onprogress?.({ loaded: total, total, lengthComputable: true });
          this.status = response.status;
          this.statusText = response.statusText;
          this.responseHeaders = response.headers;
          this.responseText = await response.text();
          this.onload?.();
        } catch {
          this.onerror?.();
        }
      })();
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
}
