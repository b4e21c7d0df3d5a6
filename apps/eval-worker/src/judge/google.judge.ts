import { GoogleGenerativeAI } from '@google/generative-ai';
import { JUDGE_MAX_OUTPUT_TOKENS } from './judge-models.js';
import type { JudgeProviderClient } from './judge-call.js';
import { googleJudgeSchema } from './judge-schema.js';

export const callGoogleJudge: JudgeProviderClient = async (call) => {
  const model = new GoogleGenerativeAI(call.apiKey).getGenerativeModel(
    {
      model: call.model,
      systemInstruction: call.system,
      generationConfig: {
        temperature: 0, maxOutputTokens: JUDGE_MAX_OUTPUT_TOKENS, responseMimeType: 'application/json', responseSchema: googleJudgeSchema(),
      },
    },
    { baseUrl: call.baseUrl },
  );
  // Our signal is the timeout: the SDK's own `timeout` leaves a timer running after every call, holding the process open.
  const result = await model.generateContent(call.user, { signal: call.signal });
  try {
    return result.response.text();
  } catch {
    // text() throws when the answer was blocked; an empty answer then fails the eval as "empty".
    return '';
  }
};
