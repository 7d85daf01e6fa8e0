/** The operators (`GET /v1/operators`) and the form to add one. */
import { call } from '../../api/call';
import { useConsole, useOperator } from '../context';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Empty, Loading } from '../../shared/Status';
import { formatDate } from '../../shared/format';
import { useLoad } from '../../shared/useLoad';
import { AddOperatorForm } from './AddOperatorForm';

export function OperatorsSection() {
  const { api } = useConsole();
  const me = useOperator();
  const operators = useLoad(() => call(api.GET('/v1/operators')), [api]);
  const items = operators.data?.items ?? [];
  return (
    <section aria-labelledby="operators-heading">
      <h2 id="operators-heading">Operators</h2>
      <ErrorAlert error={operators.error} />
      {operators.loading && !operators.data ? <Loading label="Loading operators…" /> : null}
      {operators.data && items.length === 0 ? <Empty>No operators.</Empty> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">E-mail</th>
                <th scope="col">Added</th>
                <th scope="col">Last sign-in</th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id}>
                  <td data-label="E-mail">
                    {o.email}
                    {o.email === me?.email ? <span className="muted"> (you)</span> : null}
                  </td>
                  <td data-label="Added">{formatDate(o.createdAt)}</td>
                  <td data-label="Last sign-in">{formatDate(o.lastLoginAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AddOperatorForm onAdded={operators.reload} />
    </section>
  );
}
