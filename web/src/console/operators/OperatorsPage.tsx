/** Who may run the platform: operators (people, signing in) and API tokens (CI pipelines, scripts). */
import { Page } from '../../shared/Page';
import { OperatorsSection } from './OperatorsSection';
import { ApiTokensSection } from './ApiTokensSection';

export function OperatorsPage() {
  return (
    <Page title="Operators & API tokens" site="Tenantry console">
      <OperatorsSection />
      <ApiTokensSection />
    </Page>
  );
}
