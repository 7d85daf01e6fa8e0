/**
 * A sandbox just made: its URLs and, this once, its owner's credentials and API key (kept in
 * component state only, gone when dismissed; the server keeps hashes).
 */
import type { CreatedSandbox } from '../types';
import { ShownOnce } from '../../shared/ShownOnce';
import { CopyButton } from '../../shared/CopyButton';
import { formatDate } from '../../shared/format';

export function CreatedSandboxPanel({ sandbox, onDismiss }: { sandbox: CreatedSandbox; onDismiss: () => void }) {
  const base = sandbox.url.replace(/\/+$/, '');
  return (
    <ShownOnce title={`Sandbox ${sandbox.slug} is ready: its API key`} secret={sandbox.apiKey} onDismiss={onDismiss}>
      <dl className="facts">
        <dt>Portal</dt>
        <dd>
          <a href={`${base}/`}>{`${base}/`}</a>
        </dd>
        <dt>API</dt>
        <dd>
          <code>{`${base}/v1`}</code> <span className="muted">(send the key as <code>x-api-key</code>)</span>
        </dd>
        <dt>Expires</dt>
        <dd>{formatDate(sandbox.expiresAt)}</dd>
        <dt>Owner e-mail</dt>
        <dd>
          <code data-testid="sandbox-admin-email">{sandbox.admin.email}</code>
        </dd>
        <dt>Owner password</dt>
        <dd className="secret-row">
          <code className="secret" data-testid="sandbox-admin-password">
            {sandbox.admin.password}
          </code>
          <CopyButton value={sandbox.admin.password} label="Copy password" />
        </dd>
      </dl>
    </ShownOnce>
  );
}
