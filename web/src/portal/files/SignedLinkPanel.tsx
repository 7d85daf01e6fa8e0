/** A signed download link just made: the URL, who serves it, until when, and a copy button. */
import { useEffect, useId, useRef } from 'react';
import type { SignedUrl } from '../../api/files';
import { CopyButton } from '../../shared/CopyButton';
import { formatDate } from '../../shared/format';

export interface SignedLink {
  key: string;
  signed: SignedUrl;
  /** Whether it went to the clipboard at once. */
  copied: boolean;
}

export function SignedLinkPanel({ link, onDismiss }: { link: SignedLink; onDismiss: () => void }) {
  const id = useId();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), [link]);
  return (
    <section className="shown-once signed-link" aria-labelledby={id} tabIndex={-1} ref={ref}>
      <h2 id={id}>
        Signed link for <code>{link.key}</code>
      </h2>
      <p>
        Anyone with this link can download the file, without signing in, until {formatDate(link.signed.expiresAt)}.
        {link.signed.servedBy === 'backend' ? ' It is served by the storage backend directly.' : ''}
      </p>
      {link.copied ? <p role="status">Copied to the clipboard.</p> : null}
      <div className="secret-row">
        <code className="secret" data-testid="signed-url">
          {link.signed.url}
        </code>
        <CopyButton value={link.signed.url} label="Copy link" />
      </div>
      <button type="button" className="btn btn-primary" onClick={onDismiss}>
        Done
      </button>
    </section>
  );
}
