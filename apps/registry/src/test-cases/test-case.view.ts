import type { TestCaseRow } from './test-cases.repository.js';

/** A test case as the API shows it (API.md, "Test cases and test runs"). */
export function toTestCaseView(row: TestCaseRow) {
  return {
    id: row.id,
    prompt_id: row.prompt_id,
    name: row.name,
    variables: row.variables,
    input: row.input,
    placeholders: row.placeholders,
    assertions: row.assertions,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
export type TestCaseView = ReturnType<typeof toTestCaseView>;
