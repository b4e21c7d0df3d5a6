/**
 * Chat prompts (API.md, "Prompt types, chat messages and model configuration"): a version holds a
 * list of messages, each `{role, content}` or a placeholder `{role: "placeholder", name}` that the
 * application fills with messages (chat history) at serve time. Rendering one substitutes variables
 * in every message's content and replaces each filled placeholder by its messages, inserted as is.
 * Shared by the gateway and the SDK (see template.ts).
 */
import { compileTemplate, MAX_RENDERED_BYTES, renderTemplate, utf8ByteLength, type CompiledTemplate } from './template.js';

export const PROMPT_TYPES = ['text', 'chat'] as const;
export type PromptType = (typeof PROMPT_TYPES)[number];

export const MESSAGE_ROLES = ['system', 'user', 'assistant'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export interface ContentMessage {
  role: MessageRole;
  content: string;
}
export interface PlaceholderMessage {
  role: 'placeholder';
  name: string;
}
export type PromptMessage = ContentMessage | PlaceholderMessage;

export const isPlaceholder = (message: PromptMessage): message is PlaceholderMessage => message.role === 'placeholder';

type CompiledPart =
  | { readonly role: MessageRole; readonly template: CompiledTemplate }
  | { readonly role: 'placeholder'; readonly name: string };

/** A chat version split once, so rendering it does no regex work. */
export interface CompiledMessages {
  readonly parts: readonly CompiledPart[];
  /** Each distinct variable name across the messages, in order of first appearance. */
  readonly variables: readonly string[];
  /** The placeholder names, in order. */
  readonly placeholders: readonly string[];
}

export function compileMessages(messages: readonly PromptMessage[]): CompiledMessages {
  const variables = new Set<string>();
  const placeholders: string[] = [];
  const parts = messages.map((message): CompiledPart => {
    if (isPlaceholder(message)) {
      placeholders.push(message.name);
      return { role: 'placeholder', name: message.name };
    }
    const template = compileTemplate(message.content);
    for (const name of template.variables) variables.add(name);
    return { role: message.role, template };
  });
  return { parts, variables: [...variables], placeholders };
}

export interface RenderedMessages {
  /** Variables substituted; filled placeholders replaced by their messages, unfilled ones left in place. */
  messages: PromptMessage[];
  /** Variables without a value, distinct, in order of first appearance across the messages. */
  unfilledVariables: string[];
  /** Placeholders given no list, in order. */
  unfilledPlaceholders: string[];
}

/**
 * Renders a compiled chat version. `placeholders` maps a name to the messages that replace it (an
 * empty list removes it); names the version lacks are ignored. Inserted messages are copied as they
 * are, never scanned for variables. null when the messages' contents would be over `maxBytes` of
 * UTF-8 together.
 */
export function renderMessages(
  compiled: CompiledMessages,
  variables: ReadonlyMap<string, string>,
  placeholders: ReadonlyMap<string, readonly ContentMessage[]> = new Map(),
  maxBytes = MAX_RENDERED_BYTES,
): RenderedMessages | null {
  const messages: PromptMessage[] = [];
  const unfilledVariables: string[] = [];
  const unfilledPlaceholders: string[] = [];
  let budget = maxBytes;
  for (const part of compiled.parts) {
    if (part.role === 'placeholder') {
      const fill = placeholders.get(part.name);
      if (fill === undefined) {
        unfilledPlaceholders.push(part.name);
        messages.push({ role: 'placeholder', name: part.name });
        continue;
      }
      for (const message of fill) {
        budget -= utf8ByteLength(message.content);
        if (budget < 0) return null;
        messages.push({ role: message.role, content: message.content });
      }
      continue;
    }
    const rendered = renderTemplate(part.template, variables, budget);
    if (rendered === null) return null;
    budget -= utf8ByteLength(rendered.content);
    for (const name of rendered.unfilled) if (!unfilledVariables.includes(name)) unfilledVariables.push(name);
    messages.push({ role: part.role, content: rendered.content });
  }
  return { messages, unfilledVariables, unfilledPlaceholders };
}
