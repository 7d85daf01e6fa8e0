/**
 * An owner invitation's one-time token (from `POST /v1/tenants` without a password, or
 * `POST /v1/tenants/{t}/admin-invitation`), with what the new owner does with it: open the
 * tenant's portal at `/accept-invitation`, paste the code, choose a password. Kept in
 * component state only; gone once dismissed (the server keeps a hash).
 */
import type { OwnerInvitation } from '../types';
import { ShownOnce } from '../../shared/ShownOnce';
import { formatDate } from '../../shared/format';

/** The portal's accept-invitation page (web/src/portal: route `/accept-invitation`). */
export function acceptInvitationUrl(tenantUrl: string): string {
  return `${tenantUrl.replace(/\/+$/, '')}/accept-invitation`;
}

export interface OwnerInvitationPanelProps {
  invitation: OwnerInvitation;
  tenantUrl: string;
  onDismiss: () => void;
}

export function OwnerInvitationPanel({ invitation, tenantUrl, onDismiss }: OwnerInvitationPanelProps) {
  const accept = acceptInvitationUrl(tenantUrl);
  return (
    <ShownOnce title={`Invitation for ${invitation.email}`} secret={invitation.token} onDismiss={onDismiss}>
      <p>
        Give this code to {invitation.email} through a safe channel: the admin opens <a href={accept}>{accept}</a> and
        pastes this code, then chooses a password and becomes an owner. It works once, until{' '}
        {formatDate(invitation.expiresAt)}.
      </p>
    </ShownOnce>
  );
}
