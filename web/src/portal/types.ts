/** Names for the tenant-plane schemas the portal uses. */
import type { components } from '../api/generated/tenant-plane';

type Schemas = components['schemas'];
export type MeView = Schemas['MeView'];
export type ProfileView = Schemas['ProfileView'];
export type Role = Schemas['Role'];
export type UserView = Schemas['UserView'];
export type InvitationView = Schemas['InvitationView'];
export type CreatedInvitation = Schemas['CreatedInvitation'];
export type ApiKeyView = Schemas['ApiKeyView'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type ModuleView = Schemas['ModuleView'];
export type ConnectorView = Schemas['ConnectorView'];
export type FieldSpec = Schemas['FieldSpec'];
export type WebhookView = Schemas['WebhookView'];
export type DeliveryView = Schemas['DeliveryView'];
export type AuditEventView = Schemas['AuditEventView'];

/** Highest first, as docs/tenant-permissions.md orders them. */
export const ROLES: readonly Role[] = ['owner', 'admin', 'staff', 'viewer'];

/** Event types a webhook can subscribe to (docs/tenant-api.md, Webhooks). */
export const WEBHOOK_EVENTS = [
  '*',
  'user.created',
  'user.updated',
  'user.removed',
  'crm.contact.created',
  'crm.contact.updated',
  'crm.contact.deleted',
  'support.ticket.created',
  'support.ticket.updated',
  'support.ticket.deleted',
] as const;
