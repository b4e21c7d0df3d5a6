import { Redirect, Route, Switch } from 'wouter';
import { ApiKeysPage } from './pages/admin/ApiKeysPage.js';
import { AuditLogPage } from './pages/admin/AuditLogPage.js';
import { MembersPage } from './pages/admin/MembersPage.js';
import { SettingsPage } from './pages/admin/SettingsPage.js';
import { WebhooksPage } from './pages/admin/WebhooksPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { PromptPage } from './pages/PromptPage.js';
import { PromptsPage } from './pages/PromptsPage.js';
import { ProposePage } from './pages/ProposePage.js';
import { TestCasesPage } from './pages/prompt/TestCasesPage.js';
import { ReviewQueuePage } from './pages/ReviewQueuePage.js';
import { VersionPage } from './pages/VersionPage.js';

/**
 * The routes table. Deep links work: the registry answers every unknown path under `/` with
 * index.html. Admin pages live under /admin; a prompt's pages under /prompts/:id.
 */
export function AppRoutes() {
  return (
    <Switch>
      <Route path="/"><Redirect to="/prompts" replace /></Route>
      <Route path="/prompts" component={PromptsPage} />
      <Route path="/prompts/:id">{(p) => <PromptPage promptId={p.id} />}</Route>
      <Route path="/prompts/:id/propose">{(p) => <ProposePage promptId={p.id} />}</Route>
      <Route path="/prompts/:id/test-cases">{(p) => <TestCasesPage promptId={p.id} />}</Route>
      <Route path="/review" component={ReviewQueuePage} />
      <Route path="/versions/:id">{(p) => <VersionPage versionId={p.id} />}</Route>
      <Route path="/admin/api-keys" component={ApiKeysPage} />
      <Route path="/admin/webhooks" component={WebhooksPage} />
      <Route path="/admin/members" component={MembersPage} />
      <Route path="/admin/settings" component={SettingsPage} />
      <Route path="/admin/audit" component={AuditLogPage} />
      <Route component={NotFoundPage} />
    </Switch>
  );
}
