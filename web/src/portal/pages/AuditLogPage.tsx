/**
 * The tenant's audit log (`GET /v1/audit-logs`), newest first, filtered by actor, action
 * (exact, or a prefix ending in "."), and time range; "Load more" follows `nextCursor`.
 */
import { useState, type FormEvent } from 'react';
import { call } from '../../api/call';
import { useIdentity, usePortal } from '../context';
import type { AuditEventView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { TextField } from '../../shared/forms/TextField';
import { formatDate, localInputToIso, shortId } from '../../shared/format';
import { useSubmit } from '../../shared/useSubmit';
import { useLoad } from '../../shared/useLoad';

interface Filters {
  actor: string;
  action: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { actor: '', action: '', from: '', to: '' };

export function AuditLogPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const [form, setForm] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [more, setMore] = useState<AuditEventView[]>([]);
  const [cursor, setCursor] = useState<number | null>(null);

  const query = (f: Filters, c?: number) => ({
    limit: 50,
    cursor: c,
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    from: localInputToIso(f.from) ?? undefined,
    to: localInputToIso(f.to) ?? undefined,
  });

  const first = useLoad(async () => {
    const page = await call(api.GET('/v1/audit-logs', { params: { query: query(applied) } }));
    setMore([]);
    setCursor(page.nextCursor ?? null);
    return page;
  }, [api, applied]);

  const loadMore = useSubmit(async () => {
    if (cursor === null) return;
    const page = await call(api.GET('/v1/audit-logs', { params: { query: query(applied, cursor) } }));
    setMore((m) => [...m, ...page.items]);
    setCursor(page.nextCursor ?? null);
  });

  function onFilter(e: FormEvent) {
    e.preventDefault();
    setApplied(form);
  }

  const events = first.data ? [...first.data.items, ...more] : null;
  const set = (k: keyof Filters) => (v: string) => setForm({ ...form, [k]: v });

  return (
    <Page title="Audit log" site={tenant.displayName}>
      <form className="filters" role="search" aria-label="Filter the audit log" onSubmit={onFilter}>
        <TextField label="Action" value={form.action} onChange={set('action')} hint="Exact, e.g. user.invited, or a prefix such as auth." />
        <TextField label="Actor id" value={form.actor} onChange={set('actor')} hint="A user or API key id." />
        <TextField label="From" type="datetime-local" value={form.from} onChange={set('from')} />
        <TextField label="To" type="datetime-local" value={form.to} onChange={set('to')} />
        <div className="button-row">
          <button type="submit" className="btn btn-primary">
            Apply filters
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              setForm(NO_FILTERS);
              setApplied(NO_FILTERS);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorAlert error={first.error} />
      {first.loading && !first.data ? <Loading label="Loading the audit log…" /> : null}
      {events && events.length === 0 ? <Empty>No events match.</Empty> : null}
      {events && events.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq}>
                  <td data-label="#">{e.seq}</td>
                  <td data-label="When">{formatDate(e.occurredAt)}</td>
                  <td data-label="Action" className="nowrap">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="Actor">
                    {e.actorType}{' '}
                    {e.actorId ? (
                      <button
                        type="button"
                        className="btn btn-link"
                        title={e.actorId}
                        onClick={() => {
                          const next = { ...form, actor: e.actorId ?? '' };
                          setForm(next);
                          setApplied(next);
                        }}
                      >
                        <code>{shortId(e.actorId)}</code>
                        <span className="visually-hidden"> (show only this actor)</span>
                      </button>
                    ) : null}
                  </td>
                  <td data-label="Target">
                    {e.targetType ?? '—'} {e.targetId ? <code title={e.targetId}>{shortId(e.targetId)}</code> : null}
                  </td>
                  <td data-label="Details">
                    <code className="json">{JSON.stringify(e.metadata)}</code>
                    {e.ip ? <div className="muted">from {e.ip}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorAlert error={loadMore.error} />
      {cursor !== null ? (
        <button type="button" className="btn btn-secondary" disabled={loadMore.busy} onClick={() => void loadMore.run()}>
          {loadMore.busy ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </Page>
  );
}
