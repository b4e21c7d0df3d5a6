import { GoogleGenerativeAI, type ResponseSchema } from '@google/generative-ai';
import { googleSchemaOf, splitSystem, type GenerationClient } from './generation-call.js';

export const generateWithGoogle: GenerationClient = async (call) => {
  const { params, schema } = call;
  const { system, turns } = splitSystem(call.messages);
  const model = new GoogleGenerativeAI(call.apiKey).getGenerativeModel(
    {
      model: call.model,
      ...(system !== undefined && { systemInstruction: system }),
      generationConfig: {
        maxOutputTokens: params.maxTokens,
        ...(params.temperature !== undefined && { temperature: params.temperature }),
        ...(params.topP !== undefined && { topP: params.topP }),
        ...(params.stop && { stopSequences: params.stop }),
        ...(schema && { responseMimeType: 'application/json', responseSchema: googleSchemaOf(schema.schema) as unknown as ResponseSchema }),
      },
    },
    { baseUrl: call.baseUrl },
  );
  // Our signal is the timeout: the SDK's own `timeout` leaves a timer running after every call.
  const result = await model.generateContent(
    { contents: turns.map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })) },
    { signal: call.signal },
  );
  try {
    return result.response.text();
  } catch {
    // text() throws when the answer was blocked: an empty answer.
    return '';
  }
};
