import type { Provider } from '#contracts';

/** The model a judge eval uses when the request names none. */
export const DEFAULT_JUDGE_MODELS: Record<Provider, string> = {
  // Not claude-sonnet-4-5: the SDK (1.12.0) marks it end-of-life on 30 November 2026.
  anthropic: 'claude-sonnet-4-6',
  openai: 'gpt-4o-mini',
  google: 'gemini-2.0-flash',
  groq: 'llama-3.3-70b-versatile',
  mistral: 'mistral-small-latest',
};

/** Enough for six reasons, six suggestions and the list; the answer is small JSON. */
export const JUDGE_MAX_OUTPUT_TOKENS = 2048;
