/**
 * A destructive action behind a confirmation: "Revoke <name>" → the warning, "Yes, revoke
 * <name>" and "Keep it". The name is for screen readers (the row shows it already).
 */
import { useState } from 'react';
import { ErrorAlert } from './ErrorAlert';
import { useSubmit } from './useSubmit';

interface Props {
  /** The verb, capitalised: "Revoke", "Remove". */
  verb: string;
  /** Shown while the action runs: "Revoking…". */
  busyLabel: string;
  /** What confirming does, in one sentence. */
  warning: string;
  /** What is acted on, read out after the verb. */
  name: string;
  action: () => Promise<void>;
}

export function ConfirmDangerButton({ verb, busyLabel, warning, name, action }: Props) {
  const [confirming, setConfirming] = useState(false);
  const act = useSubmit(action);
  const hidden = <span className="visually-hidden">{name}</span>;
  return (
    <>
      {confirming ? (
        <div className="button-row confirm-row">
          <span>{warning}</span>
          <button type="button" className="btn btn-danger" disabled={act.busy} onClick={() => void act.run()}>
            {act.busy ? busyLabel : <>Yes, {verb.toLowerCase()} {hidden}</>}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : (
        <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
          {verb} {hidden}
        </button>
      )}
      <ErrorAlert error={act.error} />
    </>
  );
}
