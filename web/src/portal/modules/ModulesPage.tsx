/**
 * Modules: each one's state with a switch, and its settings when it is on. A module that is
 * off keeps its data; its endpoints answer `403 MODULE_DISABLED`.
 */
import { call } from '../../api/call';
import { can, useIdentity, useMe, usePortal } from '../context';
import type { ModuleView } from '../types';
import { Page } from '../../shared/Page';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { Loading } from '../../shared/Status';
import { useLoad } from '../../shared/useLoad';
import { ModuleSwitch } from './ModuleSwitch';
import { ModuleConfigForm } from './ModuleConfigForm';

const NAMES: Record<string, string> = { crm: 'CRM', ai_assistant: 'AI assistant', ecommerce: 'E-commerce' };

export function moduleName(key: string): string {
  return NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1).replace(/_/g, ' ');
}

export function ModulesPage() {
  const { api } = usePortal();
  const { tenant } = useIdentity();
  const me = useMe();
  const canManage = can(me, 'modules.manage');
  const modules = useLoad(() => call(api.GET('/v1/modules')), [api]);

  function replace(next: ModuleView) {
    if (!modules.data) return;
    modules.setData({ items: modules.data.items.map((m) => (m.key === next.key ? next : m)) });
  }

  return (
    <Page title="Modules" site={tenant.displayName}>
      <ErrorAlert error={modules.error} />
      {modules.loading && !modules.data ? <Loading /> : null}
      <ul className="card-list">
        {modules.data?.items.map((m) => (
          <li key={m.key} className="card module">
            <div className="module-head">
              <h2>{moduleName(m.key)}</h2>
              {m.available ? null : <span className="badge badge-muted">coming soon</span>}
              <ModuleSwitch module={m} disabled={!canManage} onChanged={replace} />
            </div>
            <p>{m.description}</p>
            {m.enabled && canManage ? (
              <details>
                <summary>Settings</summary>
                <ModuleConfigForm module={m} onSaved={(config) => replace({ ...m, config })} />
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </Page>
  );
}
