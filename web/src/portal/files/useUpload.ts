/**
 * One upload at a time: the file is PUT as the body with its own type, with progress and a way
 * to cancel. Failures are handled as the client's middleware handles every other call: a `401`
 * signs out, a tenant-status code (`TENANT_SUSPENDED` …) shows the tenant's state.
 */
import { useRef, useState } from 'react';
import { encodeFileKey, uploadFile, type FileView } from '../../api/files';
import { TENANT_UNAVAILABLE_CODES, bearerToken } from '../../api/tenant';
import { ApiError } from '../../api/errors';
import { usePortal } from '../context';

export interface UploadProgress {
  sent: number;
  total: number;
}

export function useUpload() {
  const { session, availability, baseUrl } = usePortal();
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const controller = useRef<AbortController | null>(null);

  async function upload(key: string, file: File): Promise<FileView | null> {
    const mine = new AbortController();
    controller.current = mine;
    setError(null);
    setProgress({ sent: 0, total: file.size });
    try {
      const token = await bearerToken(session, baseUrl);
      return await uploadFile({
        url: `${baseUrl}/v1/files/${encodeFileKey(key)}`,
        body: file,
        contentType: file.type,
        token,
        signal: mine.signal,
        onProgress: (sent, total) => setProgress({ sent, total }),
      });
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.status === 401) session.set(null);
        if ((TENANT_UNAVAILABLE_CODES as readonly string[]).includes(e.code)) {
          availability.set({ code: e.code, message: e.message });
        }
      }
      setError(e);
      return null;
    } finally {
      controller.current = null;
      setProgress(null);
    }
  }

  return {
    upload,
    busy: progress !== null,
    progress,
    error,
    setError,
    cancel: () => controller.current?.abort(),
  };
}
