/** Every delivery attempt of an endpoint, newest first (`GET /v1/webhooks/{id}/deliveries`). */
import { call } from '../../api/call';
import { usePortal } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { StatusBadge } from '../../shared/StatusBadge';
import { Pager, useCursorPager } from '../../shared/Pager';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';

export function DeliveryLog({ webhookId, version }: { webhookId: string; version: number }) {
  const { api } = usePortal();
  const pager = useCursorPager<string>();
  const deliveries = useLoad(
    () =>
      call(api.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id: webhookId }, query: { cursor: pager.cursor, limit: 50 } } })),
    [api, webhookId, pager.cursor, version],
  );
  return (
    <section aria-labelledby="deliveries-heading">
      <h2 id="deliveries-heading">Delivery log</h2>
      <ErrorAlert error={deliveries.error} />
      {deliveries.loading && !deliveries.data ? <Loading /> : null}
      {deliveries.data && deliveries.data.items.length === 0 ? <Empty>No deliveries yet.</Empty> : null}
      {deliveries.data && deliveries.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Attempt</th>
                <th scope="col">Result</th>
                <th scope="col">Event state</th>
                <th scope="col">Next attempt</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.items.map((d) => (
                <tr key={d.id}>
                  <td data-label="When">{formatDate(d.attemptedAt)}</td>
                  <td data-label="Event">
                    <code>{d.eventType}</code>
                  </td>
                  <td data-label="Attempt">{d.attempt}</td>
                  <td data-label="Result">
                    {d.statusCode ? `HTTP ${d.statusCode}` : 'no answer'} in {d.durationMs} ms
                    {d.error ? <div className="step-error">{d.error}</div> : null}
                  </td>
                  <td data-label="Event state">
                    <StatusBadge status={d.eventStatus} />
                  </td>
                  <td data-label="Next attempt">{formatDate(d.nextAttemptAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        page={pager.page}
        hasNext={Boolean(deliveries.data?.nextCursor)}
        onNext={() => deliveries.data?.nextCursor && pager.next(deliveries.data.nextCursor)}
        onPrevious={pager.previous}
      />
    </section>
  );
}
