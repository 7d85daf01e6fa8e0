/**
 * Upload a file: choose it, keep or change its key (the current folder prefix plus its name),
 * watch the progress, cancel. Size and key are checked before sending; the server's `413`s say
 * whether the file is over the plan's upload limit or the workspace's quota is used up.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import type { FileView } from '../../api/files';
import { UPLOAD_CANCELLED } from '../../api/files';
import { ApiError } from '../../api/errors';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { fieldError } from '../../shared/forms/fieldError';
import { formatBytes } from '../../shared/format';
import { validateFileKey } from './fileKey';
import { useUpload, type UploadProgress } from './useUpload';

export interface UploadFormProps {
  /** The list's filter; a prefix ending in `/` is where new files go by default. */
  prefix: string;
  /** The plan's upload limit, once the storage status is loaded. */
  maxUploadBytes: number | null;
  onUploaded: (file: FileView) => void;
}

function errorTitle(error: unknown, maxUploadBytes: number | null): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code === 'PAYLOAD_TOO_LARGE') {
    return `The file is larger than this workspace’s upload limit${maxUploadBytes ? ` of ${formatBytes(maxUploadBytes)}` : ''}.`;
  }
  if (error.code === 'QUOTA_EXCEEDED') return 'The workspace’s storage is full: delete files to make room, or move to a larger plan.';
  if (error.code === 'STORAGE_UNAVAILABLE') return 'The storage backend did not answer; nothing was stored.';
  return 'The upload failed';
}

function ProgressLine({ progress, onCancel }: { progress: UploadProgress; onCancel: () => void }) {
  const pct = progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : 0;
  return (
    <div className="upload-progress">
      <progress max={Math.max(progress.total, 1)} value={progress.sent} aria-label="Upload progress" />
      <span role="status" aria-live="polite">
        Uploading… {formatBytes(progress.sent)} of {formatBytes(progress.total)} ({pct} %)
      </span>
      <button type="button" className="btn btn-secondary" onClick={onCancel}>
        Cancel upload
      </button>
    </div>
  );
}

export function UploadForm({ prefix, maxUploadBytes, onUploaded }: UploadFormProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [key, setKey] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [showErrors, setShowErrors] = useState(false);
  const [uploaded, setUploaded] = useState<FileView | null>(null);
  const upload = useUpload();

  const folder = prefix.endsWith('/') ? prefix : '';
  const tooLarge = file && maxUploadBytes !== null && file.size > maxUploadBytes;
  const fileError = !file
    ? 'choose a file'
    : tooLarge
      ? `the file is ${formatBytes(file.size)}; the upload limit is ${formatBytes(maxUploadBytes)}`
      : null;
  const keyError = validateFileKey(key);
  const cancelled = upload.error instanceof ApiError && upload.error.code === UPLOAD_CANCELLED;
  const serverKeyError = fieldError(upload.error, 'key');

  function choose(next: File | null) {
    setFile(next);
    setUploaded(null);
    upload.setError(null);
    if (next && !keyEdited) setKey(folder + next.name);
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setShowErrors(true);
    setUploaded(null);
    if (!file || fileError || keyError || upload.busy) return;
    const stored = await upload.upload(key.normalize('NFC'), file);
    if (!stored) return;
    setUploaded(stored);
    setFile(null);
    setKey('');
    setKeyEdited(false);
    setShowErrors(false);
    if (input.current) input.current.value = '';
    onUploaded(stored);
  }

  const shownFileError = showErrors || tooLarge ? fileError : null;
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Upload a file</h2>
      <form onSubmit={onSubmit} noValidate>
        {uploaded ? (
          <Notice>
            Uploaded <code>{uploaded.key}</code> ({formatBytes(uploaded.size)}).
          </Notice>
        ) : null}
        {cancelled ? <Notice>The upload was cancelled; nothing was stored.</Notice> : null}
        {cancelled || serverKeyError ? null : <ErrorAlert error={upload.error} title={errorTitle(upload.error, maxUploadBytes)} />}
        <div className="field">
          <label htmlFor={`${id}-file`}>File</label>
          <input
            id={`${id}-file`}
            ref={input}
            type="file"
            disabled={upload.busy}
            aria-invalid={shownFileError ? true : undefined}
            aria-describedby={[`${id}-file-hint`, shownFileError ? `${id}-file-error` : null].filter(Boolean).join(' ')}
            onChange={(e) => choose(e.target.files?.[0] ?? null)}
          />
          <div className="hint" id={`${id}-file-hint`}>
            {maxUploadBytes !== null ? `Up to ${formatBytes(maxUploadBytes)}. ` : ''}A file with the same key is replaced.
          </div>
          {shownFileError ? (
            <div className="field-error" id={`${id}-file-error`}>
              {shownFileError}
            </div>
          ) : null}
        </div>
        <TextField
          label="Key"
          value={key}
          onChange={(v) => {
            setKey(v);
            setKeyEdited(true);
          }}
          disabled={upload.busy}
          autoComplete="off"
          spellCheck={false}
          hint="The file’s name in this workspace; use / for folders, e.g. reports/2026/q1.pdf."
          error={(showErrors ? keyError : null) ?? serverKeyError}
        />
        {upload.progress ? (
          <ProgressLine progress={upload.progress} onCancel={upload.cancel} />
        ) : (
          <button type="submit" className="btn btn-primary">
            Upload
          </button>
        )}
      </form>
    </section>
  );
}
