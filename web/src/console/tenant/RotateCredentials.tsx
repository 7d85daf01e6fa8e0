/**
 * Credential rotation an operator can trigger: the tenant's database password (online, no
 * failed request) and its token-signing key (published now, signing in five minutes).
 */
import { useState } from 'react';
import { call } from '../../api/call';
import { useConsole } from '../context';
import type { TenantView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Notice } from '../../shared/Status';
import { useSubmit } from '../../shared/useSubmit';

export function RotateCredentials({ tenant }: { tenant: TenantView }) {
  const { api } = useConsole();
  const [done, setDone] = useState<string | null>(null);
  const path = { params: { path: { tenant: tenant.id } } };
  const rotateDb = useSubmit(async () => {
    const r = await call(api.POST('/v1/tenants/{tenant}/rotate-db-credentials', path));
    setDone(`Database password rotated; now version ${r.version}.`);
  });
  const rotateKey = useSubmit(async () => {
    const r = await call(api.POST('/v1/tenants/{tenant}/rotate-signing-key', path));
    setDone(`New signing key ${r.kid}: published now, signing in five minutes.`);
  });
  if (tenant.status !== 'active' && tenant.status !== 'suspended') return <p className="muted">Not available while {tenant.status}.</p>;
  return (
    <div>
      {done ? <Notice>{done}</Notice> : null}
      <ErrorAlert error={rotateDb.error ?? rotateKey.error} />
      <div className="button-row">
        <button type="button" className="btn btn-secondary" disabled={rotateDb.busy} onClick={() => void rotateDb.run()}>
          {rotateDb.busy ? 'Rotating…' : 'Rotate database password'}
        </button>
        <button type="button" className="btn btn-secondary" disabled={rotateKey.busy} onClick={() => void rotateKey.run()}>
          {rotateKey.busy ? 'Rotating…' : 'Rotate signing key'}
        </button>
      </div>
    </div>
  );
}
