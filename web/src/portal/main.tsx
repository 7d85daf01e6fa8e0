/** Entry point of the tenant portal (served by the tenant plane at each tenant's host). */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { TenantSession, createTenantApi } from '../api/tenant';
import { TenantAvailability } from './availability';
import { PortalProvider } from './context';
import { PortalApp } from './PortalApp';
import '../shared/styles.css';

const session = new TenantSession();
const availability = new TenantAvailability();
const api = createTenantApi(session, { onTenantUnavailable: (code, message) => availability.set({ code, message }) });
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <PortalProvider deps={{ api, session, availability }}>
        <BrowserRouter>
          <PortalApp />
        </BrowserRouter>
      </PortalProvider>
    </StrictMode>,
  );
}
