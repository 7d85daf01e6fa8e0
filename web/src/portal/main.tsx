/**
 * Entry point of the tenant portal (served by the tenant plane at each tenant's host, and at
 * `/t/<slug>/…` on a shared host under path routing: see ./base.ts).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { TenantSession, createTenantApi } from '../api/tenant';
import { sameOrigin } from '../api/control';
import { TenantAvailability } from './availability';
import { currentBase } from './base';
import { PortalProvider } from './context';
import { PortalApp } from './PortalApp';
import '../shared/styles.css';

const base = currentBase();
const baseUrl = `${sameOrigin()}${base.prefix}`;
const session = new TenantSession(undefined, undefined, base.slug);
const availability = new TenantAvailability();
const api = createTenantApi(session, { baseUrl, onTenantUnavailable: (code, message) => availability.set({ code, message }) });
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <PortalProvider deps={{ api, session, availability, base, baseUrl }}>
        <BrowserRouter basename={base.prefix || undefined}>
          <PortalApp />
        </BrowserRouter>
      </PortalProvider>
    </StrictMode>,
  );
}
