export {
  Promptgate,
  type ChatPrompt,
  type GetPromptOptions,
  type PlaceholderValues,
  type Prompt,
  type TextPrompt,
  type FetchFunction,
  type PromptgateOptions,
  type ServeOptions,
  type ServeSource,
  type ServedPrompt,
  type VariableValue,
} from './promptgate.js';
export {
  PromptgateAuthError,
  PromptgateConfigError,
  PromptgateError,
  PromptgateNotFoundError,
  PromptgateRateLimitError,
  PromptgateTimeoutError,
  PromptgateTypeError,
  PromptgateUnavailableError,
  PromptgateValidationError,
} from './errors.js';
export type { ContentMessage, MessageRole, PlaceholderMessage, PromptMessage, PromptType } from './portable/messages.js';
