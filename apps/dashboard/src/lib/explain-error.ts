/**
 * The API's error codes in words a person can act on. The registry's message is kept as the detail
 * where no better explanation exists. Pure: unit-tested in explain-error.spec.ts.
 */
export interface Explained {
  title: string;
  message: string;
}

interface ErrorLike {
  status?: number;
  code?: string;
  message?: string;
}

const EXPLANATIONS: Record<string, Explained> = {
  self_approval: {
    title: 'You cannot approve your own change',
    message: 'This environment requires review by someone other than the proposer. Ask another reviewer to approve it.',
  },
  stale_base: {
    title: 'The live version changed since this was proposed',
    message: 'Another version went live after this change was proposed, so approving it would undo that work. Propose the change again on top of the current live version.',
  },
  eval_required: {
    title: 'An evaluation is needed first',
    message: 'This environment requires a passing evaluation before approval. Run an evaluation and wait for it to finish, then approve.',
  },
  eval_below_threshold: {
    title: 'The evaluation score is below the threshold',
    message: "The latest evaluation scored below this environment's pass threshold. Improve the prompt and propose again, or (admins) approve with the eval override.",
  },
  tests_required: {
    title: 'A passing test run is needed first',
    message: 'This environment requires a test run against the live version before approval. Run the tests and wait for them to pass.',
  },
  tests_failed: {
    title: 'The test run failed',
    message: 'The latest test run had failing cases or more regressions than this environment allows. Look at the failing cases, fix the prompt and propose again.',
  },
  invalid_transition: {
    title: 'This version is not in a state for that',
    message: 'Someone may have approved, rejected or changed it already. Reload the page to see its current status.',
  },
  forbidden: {
    title: 'Your role does not allow this',
    message: 'Ask an admin of this workspace for a role that does.',
  },
  unauthorized: {
    title: 'Your session ended',
    message: 'Log in again to continue.',
  },
  not_found: {
    title: 'Not found',
    message: 'It may have been deleted, or it belongs to a workspace you are not a member of.',
  },
  provider_key_missing: {
    title: 'No key for this provider',
    message: 'Type the provider key in the "Key" field (it is sent with this one request and never kept), or ask an admin to save one for the workspace.',
  },
  model_unspecified: {
    title: 'No model to run with',
    message: 'Choose a provider and a model, or set provider and model in the version\'s config.',
  },
  no_test_cases: {
    title: 'This prompt has no test cases',
    message: 'Add test cases on the prompt\'s Test cases page, then run the tests.',
  },
  not_previously_live: {
    title: 'That version was never live',
    message: 'Only a version that was live before can be rolled back to. Drafts and rejected versions go live through review.',
  },
  rate_limited: {
    title: 'Too many attempts',
    message: 'Wait a little and try again.',
  },
  network_error: {
    title: 'The registry could not be reached',
    message: 'Check that it is running and try again.',
  },
};

export function explainError(error: unknown): Explained {
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const known = e.code ? EXPLANATIONS[e.code] : undefined;
  if (known) return known;
  if (e.status === 401) return EXPLANATIONS.unauthorized;
  if (e.status === 403) return { title: EXPLANATIONS.forbidden.title, message: e.message || EXPLANATIONS.forbidden.message };
  if (e.status === 404) return { title: 'Not found', message: e.message || EXPLANATIONS.not_found.message };
  if (e.status !== undefined && e.status >= 500) {
    return { title: 'The registry failed', message: 'Something went wrong on the server. Try again; if it keeps failing, tell your administrator.' };
  }
  return { title: 'Something went wrong', message: e.message || 'An unexpected error happened.' };
}
