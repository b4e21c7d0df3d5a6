export {
  Promptgate,
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
  PromptgateUnavailableError,
  PromptgateValidationError,
} from './errors.js';
