/**
 * The tenant API's file calls that the generated client does not cover on its own:
 *
 * - Keys contain `/` (`reports/2026/q1.pdf`). openapi-fetch would send the whole key as one
 *   encoded segment (`reports%2F2026…`); `filePath` encodes each segment and keeps the slashes,
 *   as the server's own signed URLs do.
 * - Uploads report progress, which `fetch` cannot do for request bodies, so they go through
 *   `XMLHttpRequest` with the same bearer token and the same `ApiError` on failure.
 */
import { ApiError, apiErrorFrom, networkError } from './errors';
import type { components } from './generated/tenant-plane';

export type FileView = components['schemas']['FileView'];
export type StorageStatus = components['schemas']['StorageStatus'];
export type SignedUrl = components['schemas']['SignedUrl'];

/** `a b/c.txt` → `a%20b/c.txt`. */
export function encodeFileKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** openapi-fetch `pathSerializer` for `/v1/files/{key}`. */
export function filePath(pathname: string, params: Record<string, unknown>): string {
  return pathname.replace('{key}', encodeFileKey(String(params.key ?? '')));
}

/** What the server stores as the file's type when the browser knows none. */
export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export interface UploadRequest {
  /** Absolute URL of `PUT /v1/files/{key}`. */
  url: string;
  body: Blob;
  contentType: string;
  token: string | null;
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

export const UPLOAD_CANCELLED = 'UPLOAD_CANCELLED';

function responseHeaders(xhr: XMLHttpRequest): Headers {
  const headers = new Headers();
  for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
    const at = line.indexOf(':');
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** PUTs the body; resolves with the stored file, rejects with an `ApiError`. */
export function uploadFile(req: UploadRequest): Promise<FileView> {
  const cancelled = () => new ApiError({ status: 0, code: UPLOAD_CANCELLED, message: 'The upload was cancelled.' });
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(cancelled());
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', req.url);
    xhr.setRequestHeader('content-type', req.contentType || DEFAULT_CONTENT_TYPE);
    if (req.token) xhr.setRequestHeader('authorization', `Bearer ${req.token}`);
    xhr.upload.onprogress = (e) => req.onProgress?.(e.loaded, e.lengthComputable ? e.total : req.body.size);
    xhr.onload = () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as FileView);
        return;
      }
      const response = new Response(null, { status: xhr.status, statusText: xhr.statusText, headers: responseHeaders(xhr) });
      reject(apiErrorFrom(response, body));
    };
    xhr.onerror = () => reject(networkError(new Error('the upload was interrupted')));
    xhr.onabort = () => reject(cancelled());
    req.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(req.body);
  });
}
