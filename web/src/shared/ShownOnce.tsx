/**
 * A secret the server returns once (API key, webhook signing secret, invitation token): shown
 * with a copy button until the user dismisses it, then gone from the page for good.
 */
import { useEffect, useId, useRef } from 'react';
import { CopyButton } from './CopyButton';

export interface ShownOnceProps {
  title: string;
  secret: string;
  onDismiss: () => void;
  children?: React.ReactNode;
}

export function ShownOnce({ title, secret, onDismiss, children }: ShownOnceProps) {
  const id = useId();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section className="shown-once" aria-labelledby={id} tabIndex={-1} ref={ref}>
      <h2 id={id}>{title}</h2>
      <p>
        This is the only time it is shown. Store it somewhere safe now; the server keeps only a hash.
      </p>
      {children}
      <div className="secret-row">
        <code className="secret" data-testid="shown-once-secret">
          {secret}
        </code>
        <CopyButton value={secret} />
      </div>
      <button type="button" className="btn btn-primary" onClick={onDismiss}>
        I have stored it
      </button>
    </section>
  );
}
