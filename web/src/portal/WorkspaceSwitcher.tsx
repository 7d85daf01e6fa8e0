/**
 * Under path routing (several tenants' portals on one host, `/t/<slug>/…`): the workspaces this
 * tab is signed in to, with a link to each (a full page load: each portal has its own client
 * and session), and "Sign in to another workspace" by slug. Shown from the header's
 * "Switch workspace" button; Escape closes it and gives focus back to the button.
 */
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTokens, usePortal } from './context';
import { pathRoutedUrl } from './base';
import { listWorkspaces, tabStorage } from './workspaces';
import { TextField } from '../shared/forms/TextField';
import { validateSlug } from '../shared/validation';

export interface WorkspacePanelProps {
  id: string;
  onClose: () => void;
  /** Opens a URL (a full page load); replaced in tests. */
  go?: (url: string) => void;
}

function assign(url: string) {
  window.location.assign(url);
}

/** The workspaces other than one: true when there is something to switch to. */
export function useWorkspaces() {
  const { base } = usePortal();
  useTokens(); // re-list when this tenant's session changes
  return base.slug ? listWorkspaces(tabStorage(), base.slug) : [];
}

export function WorkspacePanel({ id, onClose, go = assign }: WorkspacePanelProps) {
  const headingId = useId();
  const ref = useRef<HTMLElement>(null);
  const workspaces = useWorkspaces();
  const [slug, setSlug] = useState('');
  const [touched, setTouched] = useState(false);
  const error = touched ? validateSlug(slug.trim()) : null;
  useEffect(() => ref.current?.focus(), []);

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (validateSlug(slug.trim())) return;
    go(pathRoutedUrl(slug.trim(), '/login'));
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') onClose();
  }

  return (
    <section id={id} className="card workspace-panel" aria-labelledby={headingId} tabIndex={-1} ref={ref} onKeyDown={onKeyDown}>
      <h2 id={headingId}>Workspaces</h2>
      {workspaces.length > 1 ? (
        <nav aria-label="Switch workspace">
          <ul className="link-list">
            {workspaces.map((w) => (
              <li key={w.slug}>
                <a href={w.href} aria-current={w.current ? 'page' : undefined}>
                  {w.name}
                </a>{' '}
                <code className="muted">{w.slug}</code>
                {w.current ? <span className="muted"> (current)</span> : null}
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <form onSubmit={onSubmit} noValidate className="inline-fields">
        <TextField
          label="Workspace slug"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          value={slug}
          onChange={setSlug}
          hint="Its short name, as in /t/<slug>/ (lower case, digits, hyphens)."
          error={error}
        />
        <div className="button-row">
          <button type="submit" className="btn btn-primary">
            Sign in to another workspace
          </button>
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}

/** The header's toggle and the panel below it; nothing on a tenant's own origin. */
export function useWorkspaceSwitcher() {
  const { base } = usePortal();
  const workspaces = useWorkspaces();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  if (!base.slug) return { toggle: null, panel: null };
  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  return {
    toggle: (
      <button
        type="button"
        ref={toggle}
        className="btn btn-secondary"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        {workspaces.length > 1 ? 'Switch workspace' : 'Other workspaces'}
      </button>
    ),
    panel: open ? <WorkspacePanel id={panelId} onClose={close} /> : null,
  };
}
