/** The events a webhook subscribes to (API.md, "Webhooks"), with what each one means, for the form's checkboxes. */
export const WEBHOOK_EVENTS = [
  'version.submitted', 'version.approved', 'version.rejected', 'version.rollback',
  'eval.completed', 'eval.failed', 'test_run.completed', 'test_run.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_EVENT_TEXT: Record<WebhookEvent, string> = {
  'version.submitted': 'a version is submitted for review',
  'version.approved': 'a version is approved and goes live',
  'version.rejected': 'a version is rejected',
  'version.rollback': 'a prompt is rolled back',
  'eval.completed': 'an evaluation finishes',
  'eval.failed': 'an evaluation fails',
  'test_run.completed': 'a test run finishes',
  'test_run.failed': 'a test run fails',
};
