/** Control-plane audit events as a table (`AuditView`). */
import { Link } from 'react-router';
import type { AuditView } from '../types';
import { Empty, Loading } from '../../shared/Status';
import { formatDate, shortId } from '../../shared/format';

export interface AuditTableProps {
  events: readonly AuditView[] | null;
  loading: boolean;
  hideTenant?: boolean;
}

export function AuditTable({ events, loading, hideTenant }: AuditTableProps) {
  if (loading && !events) return <Loading label="Loading the audit log…" />;
  if (!events) return null;
  if (events.length === 0) return <Empty>No audit events.</Empty>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Audit events, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            {hideTenant ? null : <th scope="col">Tenant</th>}
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td data-label="When">{formatDate(e.at)}</td>
              <td data-label="Action" className="nowrap">
                <code>{e.action}</code>
              </td>
              <td data-label="Actor">{e.actor}</td>
              {hideTenant ? null : (
                <td data-label="Tenant">{e.tenantId ? <Link to={`/tenants/${e.tenantId}`}>{shortId(e.tenantId)}</Link> : '—'}</td>
              )}
              <td data-label="Details">
                <code className="json">{JSON.stringify(e.details)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
