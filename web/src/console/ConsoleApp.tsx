/** The console's routes; everything but setup and login needs a signed-in operator. */
import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { useOperator } from './context';
import { ConsoleShell } from './ConsoleShell';
import { SetupPage } from './pages/SetupPage';
import { LoginPage } from './pages/LoginPage';
import { TenantsPage } from './pages/TenantsPage';
import { TenantDetailPage } from './tenant/TenantDetailPage';
import { OnboardWizard } from './wizard/OnboardWizard';
import { JobsPage } from './pages/JobsPage';
import { AuditPage } from './pages/AuditPage';
import { ServersPage } from './servers/ServersPage';
import { OperatorsPage } from './operators/OperatorsPage';
import { SandboxesPage } from './pages/SandboxesPage';
import { NotFoundPage } from '../shared/NotFoundPage';

function RequireOperator() {
  const operator = useOperator();
  const location = useLocation();
  if (!operator) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return (
    <ConsoleShell>
      <Outlet />
    </ConsoleShell>
  );
}

export function ConsoleApp() {
  return (
    <Routes>
      <Route path="/setup" element={<SetupPage />} />
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireOperator />}>
        <Route index element={<TenantsPage />} />
        <Route path="tenants/new" element={<OnboardWizard />} />
        <Route path="tenants/:tenant" element={<TenantDetailPage />} />
        <Route path="jobs" element={<JobsPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="servers" element={<ServersPage />} />
        <Route path="operators" element={<OperatorsPage />} />
        <Route path="sandboxes" element={<SandboxesPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
