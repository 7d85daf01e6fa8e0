/** An on/off switch for a module (`POST /v1/modules/{key}/enable|disable`). */
import { call } from '../../api/call';
import { usePortal } from '../context';
import type { ModuleView } from '../types';
import { ErrorAlert } from '../../shared/ErrorAlert';
import { useSubmit } from '../../shared/useSubmit';

export function ModuleSwitch({ module, disabled, onChanged }: { module: ModuleView; disabled: boolean; onChanged: (m: ModuleView) => void }) {
  const { api } = usePortal();
  const toggle = useSubmit(async () => {
    const params = { params: { path: { key: module.key } } };
    onChanged(
      await call(module.enabled ? api.POST('/v1/modules/{key}/disable', params) : api.POST('/v1/modules/{key}/enable', params)),
    );
  });
  return (
    <>
      <button
        type="button"
        role="switch"
        aria-checked={module.enabled}
        aria-label={`${module.key} module`}
        className="switch"
        disabled={disabled || toggle.busy}
        onClick={() => void toggle.run()}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        <span className="switch-text">{module.enabled ? 'On' : 'Off'}</span>
      </button>
      <ErrorAlert error={toggle.error} />
    </>
  );
}
