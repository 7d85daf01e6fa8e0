/** Names for the control-plane schemas the console uses. */
import type { components } from '../api/generated/control-plane';

type Schemas = components['schemas'];
export type TenantView = Schemas['TenantView'];
export type JobView = Schemas['JobView'];
export type AuditView = Schemas['AuditView'];
export type ServerView = Schemas['ServerView'];
export type ServerCheckView = Schemas['ServerCheckView'];
export type RegisterServerBody = Schemas['RegisterServerBody'];
export type UpdateServerBody = Schemas['UpdateServerBody'];
export type OperatorItem = Schemas['OperatorItem'];
export type ApiTokenView = Schemas['ApiTokenView'];
export type CreatedApiToken = Schemas['CreatedApiToken'];
export type SandboxView = Schemas['SandboxView'];
export type CreatedTenant = Schemas['CreatedTenant'];
export type OwnerInvitation = Schemas['InvitationView'];
export type Branding = Schemas['Branding'];
export type CreatedSandbox = Schemas['CreatedSandbox'];
export type NewSandboxBody = Schemas['NewSandboxBody'];
export type MoveTenantBody = Schemas['MoveTenantBody'];

/** shared/domain `TenantStatus`; `moving`: being copied to another database server (its API answers 503). */
export const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'offboarding', 'deleted', 'failed', 'moving'] as const;
/** shared/domain `Plan`; the server's default is `standard`. */
export const PLANS = ['free', 'standard', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
/** The job states `GET /v1/jobs?state=` accepts. */
export const JOB_STATES = ['pending', 'running', 'succeeded', 'failed', 'compensated'] as const;
/** The provisioning saga's steps in order (provisioner/src/saga.rs `Step::ALL`). */
export const PROVISIONING_STEPS = [
  'reserve',
  'place',
  'create_role',
  'create_database',
  'migrate',
  'create_storage',
  'seed_admin',
  'activate',
] as const;
/** catalog `ServerKind`: where a database server runs. */
export const SERVER_KINDS = ['platform', 'tenant_hosted'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];
/** catalog `PlacementMode`: `shared` takes automatic placement, `dedicated` only a tenant pinned to it. */
export const PLACEMENTS = ['shared', 'dedicated'] as const;
export type Placement = (typeof PLACEMENTS)[number];
/** dbtls `TlsMode`: how the control plane connects to a database server; the server's default is `disable`. */
export const TLS_MODES = ['disable', 'require', 'verify-full'] as const;
export type TlsMode = (typeof TLS_MODES)[number];
/** A server's states `PATCH /v1/servers/{name}` sets: `draining` takes no new tenants. */
export const SERVER_STATES = ['active', 'draining'] as const;
export type ServerState = (typeof SERVER_STATES)[number];
/** `POST /v1/api-tokens` scopes; the server's default is `sandbox`. */
export const TOKEN_SCOPES = ['sandbox', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
