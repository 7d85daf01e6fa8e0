/**
 * Shows an error the way docs/error-handling.md intends: the server's message (safe to show),
 * and the code and request id to quote when reporting it.
 */
import { ApiError, errorMessage } from '../api/errors';

export interface ErrorAlertProps {
  error: unknown;
  title?: string;
  /** Shown instead of the error's message, e.g. a reason the server put in `details`. */
  message?: string;
}

export function ErrorAlert({ error, title, message }: ErrorAlertProps) {
  if (error === null || error === undefined) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="alert alert-error" role="alert">
      {title ? <strong className="alert-title">{title}</strong> : null}
      <p className="alert-message">{message ?? errorMessage(error)}</p>
      {api && api.status !== 0 ? (
        <p className="alert-meta">
          <code>{api.code}</code>
          {api.requestId ? (
            <>
              {' · request '}
              <code>{api.requestId}</code>
            </>
          ) : null}
        </p>
      ) : null}
    </div>
  );
}
