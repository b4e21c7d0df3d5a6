import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import request from 'supertest';
import { approve, submit, type Team } from '../../apps/registry/test/support/review-flow.js';

/** The chat prompt the Python SDK's tests serve: a system message with variables, a history placeholder, a user turn. */
export const PY_CHAT_MESSAGES = [
  { role: 'system', content: 'You are the support agent of {{company}}. Answer in {{language}}.' },
  { role: 'placeholder', name: 'history' },
  { role: 'user', content: '{{question}}' },
];
export const PY_CHAT_CONFIG = { model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 300 };

/** Creates a chat prompt in production (by the editor), submits it and has the reviewer approve it; returns its id. */
export async function chatPrompt(http: Server, team: Team, key: string): Promise<string> {
  const created = await request(http)
    .post(`/api/v1/environments/${team.env.production}/prompts`)
    .set(team.editor.auth)
    .send({ key, type: 'chat', messages: PY_CHAT_MESSAGES, config: PY_CHAT_CONFIG });
  if (created.status !== 201) throw new Error(`creating a chat prompt answered ${created.status}: ${JSON.stringify(created.body)}`);
  await submit(http, team.editor, created.body.version.id as string);
  const approved = await approve(http, team.reviewer, created.body.version.id as string);
  if (approved.status !== 200) throw new Error(`approving a chat prompt answered ${approved.status}: ${JSON.stringify(approved.body)}`);
  return created.body.prompt.id as string;
}

export interface ProcessRun {
  code: number | null;
  /** Standard output and standard error, interleaved as they came. */
  output: string;
}

/**
 * Runs a process without blocking the event loop (the services under test answer from this
 * process), killing it after `timeoutMs`.
 */
export function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
