/**
 * What a test run sends the model for one case: the version rendered exactly as the gateway
 * renders it (the portable renderer), then the case's input as the user's message.
 */
import { compileMessages, renderMessages, type ContentMessage, type PromptMessage } from '../portable/messages.js';
import { compileTemplate, MAX_RENDERED_BYTES, renderTemplate, utf8ByteLength } from '../portable/template.js';

/** The version's body, as stored: text content or chat messages. */
export type RunVersion = { type: 'text'; content: string } | { type: 'chat'; messages: readonly PromptMessage[] };

/** The parts of a test case the rendering reads. */
export interface RunCase {
  variables: Readonly<Record<string, string>>;
  input: string | null;
  placeholders: Readonly<Record<string, readonly ContentMessage[]>>;
}

export type CaseMessages =
  | {
    ok: true;
    /** The messages in order, `{role, content}` only, ready for a provider's SDK. */
    messages: ContentMessage[];
    /** Variables the case gave no value for: left as `{{name}}`, as the gateway leaves them. */
    unfilledVariables: string[];
    /** Placeholders the case gave no messages for: dropped from the messages. */
    unfilledPlaceholders: string[];
  }
  | { ok: false; problem: string };

/**
 * The messages a run sends for `testCase`:
 * - text prompt: the rendered content as the system message;
 * - chat prompt: its messages rendered with the case's variables, each placeholder replaced by the
 *   case's messages for it. A placeholder the case does not fill is dropped, as an application
 *   with no history yet sends none (a provider takes no placeholder message);
 * then the case's `input`, when not null, as a user message.
 * A failure (`ok: false`) when the render would be over 1 MiB (the gateway's `rendered_too_large`)
 * or when there would be nothing to send.
 */
export function caseMessages(version: RunVersion, testCase: RunCase, maxBytes = MAX_RENDERED_BYTES): CaseMessages {
  const variables = new Map(Object.entries(testCase.variables));
  let messages: ContentMessage[];
  let unfilledVariables: string[];
  let unfilledPlaceholders: string[] = [];
  const budget = testCase.input === null ? maxBytes : maxBytes - utf8ByteLength(testCase.input);
  const tooLarge = { ok: false as const, problem: `the rendered prompt and the input are over ${maxBytes} bytes of UTF-8` };
  if (budget < 0) return tooLarge;
  if (version.type === 'text') {
    const rendered = renderTemplate(compileTemplate(version.content), variables, budget);
    if (rendered === null) return tooLarge;
    messages = [{ role: 'system', content: rendered.content }];
    unfilledVariables = rendered.unfilled;
  } else {
    const placeholders = new Map(Object.entries(testCase.placeholders));
    const rendered = renderMessages(compileMessages(version.messages), variables, placeholders, budget);
    if (rendered === null) return tooLarge;
    messages = rendered.messages.flatMap((m) => (m.role === 'placeholder' ? [] : [{ role: m.role, content: m.content }]));
    unfilledVariables = rendered.unfilledVariables;
    unfilledPlaceholders = rendered.unfilledPlaceholders;
  }
  if (testCase.input !== null) messages.push({ role: 'user', content: testCase.input });
  if (messages.length === 0) return { ok: false, problem: 'there is nothing to send: the prompt has no message once its placeholders are dropped, and the case has no input' };
  return { ok: true, messages, unfilledVariables, unfilledPlaceholders };
}
