/**
 * The edit form's rules for a registered server (`PATCH /v1/servers/{name}`), with the
 * server's messages (provisioner `update_server`, catalog `update_server`): capacity
 * 1–100000 (below the current tenant count is allowed: the server then takes no new
 * tenants); a tenant-hosted server stays dedicated; a dedicated server holds at most one tenant.
 */
import type { Placement, ServerState, ServerView, UpdateServerBody } from '../types';

export interface ServerEditDraft {
  capacity: string;
  placement: Placement;
  state: ServerState;
}

export type ServerEditErrors = Partial<Record<keyof ServerEditDraft, string>>;

export function editDraftOf(s: ServerView): ServerEditDraft {
  return {
    capacity: String(s.capacity),
    placement: s.placement === 'dedicated' ? 'dedicated' : 'shared',
    state: s.state === 'draining' ? 'draining' : 'active',
  };
}

export function validateServerEdit(d: ServerEditDraft, s: ServerView): ServerEditErrors {
  const errors: ServerEditErrors = {};
  const capacity = d.capacity.trim();
  if (!/^\d+$/.test(capacity) || Number(capacity) < 1 || Number(capacity) > 100_000) {
    errors.capacity = 'a whole number, 1–100000 tenant databases';
  }
  if (d.placement === 'shared' && s.kind === 'tenant_hosted') {
    errors.placement = 'a tenant-hosted server is dedicated to its tenant';
  } else if (d.placement === 'dedicated' && s.placement !== 'dedicated' && s.tenants > 1) {
    errors.placement = `a dedicated server holds at most one tenant; this one holds ${s.tenants}`;
  }
  return errors;
}

/** Only what changed; empty when nothing did. */
export function editBody(d: ServerEditDraft, s: ServerView): UpdateServerBody {
  const body: UpdateServerBody = {};
  const capacity = Number(d.capacity.trim());
  if (capacity !== s.capacity) body.capacity = capacity;
  if (d.placement !== s.placement) body.placement = d.placement;
  if (d.state !== s.state) body.state = d.state;
  return body;
}
