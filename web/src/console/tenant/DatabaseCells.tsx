/**
 * A tenant's database in the tenants list: its server (by name), schema version (flagged when
 * the last migration failed; the detail page shows the error) and the server's last health.
 */
import type { TenantView } from '../types';
import { StatusBadge } from '../../shared/StatusBadge';

export function DatabaseCells({ tenant }: { tenant: TenantView }) {
  const db = tenant.database;
  return (
    <>
      <td data-label="Database server" className="nowrap">{db?.server ? <code>{db.server}</code> : <span className="muted">—</span>}</td>
      <td data-label="Schema" className="nowrap">
        {db?.schemaVersion ? <code>{db.schemaVersion}</code> : <span className="muted">—</span>}
        {db?.lastMigrationError ? (
          <div>
            <span className="badge badge-bad">migration failed</span>
          </div>
        ) : null}
      </td>
      <td data-label="Health">{db?.serverHealth ? <StatusBadge status={db.serverHealth} /> : <span className="muted">—</span>}</td>
    </>
  );
}
