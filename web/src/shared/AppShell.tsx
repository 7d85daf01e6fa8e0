/**
 * The frame around every signed-in page: skip link, header with the product (or tenant) name,
 * the navigation, and the main landmark. On narrow screens the navigation folds behind a
 * button.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router';

export interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

export interface AppShellProps {
  brand: ReactNode;
  nav: readonly NavItem[];
  user: ReactNode;
  children: ReactNode;
  banner?: ReactNode;
}

export function AppShell({ brand, nav, user, children, banner }: AppShellProps) {
  const [open, setOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setOpen(false), [location.pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="brand">{brand}</div>
        <button
          type="button"
          className="btn btn-secondary nav-toggle"
          aria-expanded={open}
          aria-controls="primary-nav"
          onClick={() => setOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="primary-nav" aria-label="Main" className={open ? 'nav nav-open' : 'nav'}>
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">{user}</div>
      </header>
      {banner}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
