/**
 * Between a connector's stored settings and the form: settings are prefilled; secrets are
 * write-only — the form starts them empty (empty = keep), a value replaces, "remove" sends
 * `null`.
 */
import type { ConnectorView, FieldSpec } from '../types';

export type ConfigDraft = Record<string, string | boolean>;
export interface SecretDraft {
  value: string;
  remove: boolean;
}

export function configDraft(connector: ConnectorView): ConfigDraft {
  const draft: ConfigDraft = {};
  for (const spec of connector.configSchema) {
    const stored = connector.config[spec.name] ?? spec.default ?? null;
    draft[spec.name] = spec.kind.type === 'bool' ? stored === true : stored === null ? '' : String(stored);
  }
  return draft;
}

export function secretDraft(connector: ConnectorView): Record<string, SecretDraft> {
  return Object.fromEntries(connector.secretSchema.map((s) => [s.name, { value: '', remove: false }]));
}

export function isSecretSet(connector: ConnectorView, name: string): boolean {
  const state = connector.secrets[name];
  return typeof state === 'object' && state !== null && (state as { set?: unknown }).set === true;
}

function configValue(spec: FieldSpec, value: string | boolean): unknown {
  if (spec.kind.type === 'bool') return value === true;
  if (value === '') return undefined;
  if (spec.kind.type === 'port') return /^\d+$/.test(String(value)) ? Number(value) : value;
  return value;
}

export function putBody(connector: ConnectorView, config: ConfigDraft, secrets: Record<string, SecretDraft>) {
  const body: { config: Record<string, unknown>; secrets: Record<string, unknown> } = { config: {}, secrets: {} };
  for (const spec of connector.configSchema) {
    const v = configValue(spec, config[spec.name] ?? '');
    if (v !== undefined) body.config[spec.name] = v;
  }
  for (const [name, s] of Object.entries(secrets)) {
    if (s.remove) body.secrets[name] = null;
    else if (s.value !== '') body.secrets[name] = s.value;
  }
  return body;
}
