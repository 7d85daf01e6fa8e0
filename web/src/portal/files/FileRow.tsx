/**
 * One file in the list, with its actions: download (through a short signed URL, so the browser
 * streams it to disk), a 15-minute signed link to share, and delete after a confirmation.
 * Viewers (no `files.write`) get no delete.
 */
import { useEffect, useRef, useState } from 'react';
import { call, callVoid } from '../../api/call';
import { filePath, type FileView, type SignedUrl } from '../../api/files';
import { usePortal } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { formatBytes, formatDate } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';
import { fileName } from './fileKey';
import { startDownload } from './startDownload';
import type { SignedLink } from './SignedLinkPanel';

/** A download link only has to last until the browser starts fetching it. */
const DOWNLOAD_LINK_SECS = 60;
/** Shared links: 15 minutes. */
export const SHARE_LINK_SECS = 900;

export interface FileRowProps {
  file: FileView;
  canWrite: boolean;
  onDeleted: (key: string) => void;
  onSigned: (link: SignedLink) => void;
}

async function copyQuietly(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function FileRow({ file, canWrite, onDeleted, onSigned }: FileRowProps) {
  const { api } = usePortal();
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  const sign = (expiresIn: number): Promise<SignedUrl> =>
    call(api.POST('/v1/files-signed', { body: { key: file.key, method: 'GET', expiresIn } }));

  const download = useSubmit(async () => startDownload((await sign(DOWNLOAD_LINK_SECS)).url, fileName(file.key)));
  const share = useSubmit(async () => {
    const signed = await sign(SHARE_LINK_SECS);
    onSigned({ key: file.key, signed, copied: await copyQuietly(signed.url) });
  });
  const remove = useSubmit(async () => {
    await callVoid(api.DELETE('/v1/files/{key}', { params: { path: { key: file.key } }, pathSerializer: filePath }));
    onDeleted(file.key);
  });

  // Focus follows the question: onto "Yes, delete" when it is asked, back to "Delete" when kept.
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (wasConfirming.current) deleteButton.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const error = download.error ?? share.error ?? remove.error;
  const name = <span className="visually-hidden">{file.key}</span>;
  return (
    <tr>
      <td data-label="Key">
        <code>{file.key}</code>
      </td>
      <td data-label="Size">{formatBytes(file.size)}</td>
      <td data-label="Type">{file.contentType}</td>
      <td data-label="Updated">{formatDate(file.updatedAt)}</td>
      <td>
        {confirming ? (
          <div className="button-row confirm-row">
            <span>
              Delete <code>{file.key}</code> for good?
            </span>
            <button
              type="button"
              ref={confirmButton}
              className="btn btn-danger"
              disabled={remove.busy}
              onClick={() => void remove.run()}
            >
              {remove.busy ? 'Deleting…' : <>Yes, delete {name}</>}
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        ) : (
          <div className="button-row">
            <button type="button" className="btn btn-secondary" disabled={download.busy} onClick={() => void download.run()}>
              Download {name}
            </button>
            <button type="button" className="btn btn-secondary" disabled={share.busy} onClick={() => void share.run()}>
              Copy signed link {name}
            </button>
            {canWrite ? (
              <button type="button" ref={deleteButton} className="btn btn-danger" onClick={() => setConfirming(true)}>
                Delete {name}
              </button>
            ) : null}
          </div>
        )}
        <ErrorAlert error={error} />
      </td>
    </tr>
  );
}
