import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { livePrompt, makeTeam, shipVersion, type Team } from '../apps/registry/test/support/review-flow.js';
import { ROOT } from './support/build.js';
import { bootStack, issueApiKey, type Stack } from './support/stack.js';
import { chatPrompt, runProcess } from './support/python-sdk.js';

/**
 * The Python SDK (sdks/python) against a real registry and gateway: this file boots them, seeds a
 * few prompts through the registry's API, and runs the SDK's own unittest suite with the URLs,
 * tokens and ids in its environment. The Python tests create more prompts themselves through the
 * registry (revalidation, the property test), count the SDK's requests through a recording proxy
 * of their own, and stop that proxy to play a gateway that is gone.
 */
const PYTHON = 'python3';
const SDK_DIR = join(ROOT, 'sdks', 'python');

describe('the Python SDK against a real registry and gateway', () => {
  let stack: Stack;
  let team: Team;
  let registryUrl: string;
  let apiKey: string;
  const seeded: Record<string, { prompt_id: string }> = {};

  beforeAll(async () => {
    stack = await bootStack();
    const http = stack.registry.http;
    // The Python side calls the registry over HTTP, so it listens on a port of its own.
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1`;
    team = await makeTeam(http);
    apiKey = (await issueApiKey(stack, team.admin, team.env.production, 10_000)).key;

    seeded['py.greeting'] = await livePrompt(http, team, 'production', 'py.greeting', 'Hello {{name}}, this is {{company}} support.').then((p) => ({ prompt_id: p.promptId }));
    const pinned = await livePrompt(http, team, 'production', 'py.pinned', 'Version one for {{name}}');
    await shipVersion(http, team, pinned.promptId, 'Version two for {{name}}');
    seeded['py.pinned'] = { prompt_id: pinned.promptId };
    seeded['py.chat'] = { prompt_id: await chatPrompt(http, team, 'py.chat') };
  }, 120_000);
  afterAll(() => stack?.close());

  it('passes the SDK unittest suite: serve, variables, chat, pinning, cache, 304, stale-if-error, fallback, single flight, async, property', async () => {
    const env = {
      ...process.env,
      PYTHONPATH: join(SDK_DIR, 'src'),
      PYTHONDONTWRITEBYTECODE: '1',
      PROMPTGATE_URL: stack.gateways[0].url,
      PROMPTGATE_API_KEY: apiKey,
      PROMPTGATE_TEST_REGISTRY_URL: registryUrl,
      PROMPTGATE_TEST_EDITOR_TOKEN: team.editor.token,
      PROMPTGATE_TEST_REVIEWER_TOKEN: team.reviewer.token,
      PROMPTGATE_TEST_ENVIRONMENT_ID: team.env.production,
      PROMPTGATE_TEST_SEEDED: JSON.stringify(seeded),
    };
    // Asynchronous on purpose: the gateway and the registry answer from this very process.
    const run = await runProcess(PYTHON, ['-m', 'unittest', 'discover', '-s', join(SDK_DIR, 'tests'), '-v'], { cwd: ROOT, env, timeoutMs: 420_000 });
    if (run.code !== 0) process.stderr.write(`python3 -m unittest exited ${String(run.code)}:\n${run.output}\n`);
    expect(run.code).toBe(0);
    // Every live test ran: none was skipped for want of a gateway or a registry.
    expect(run.output).not.toMatch(/skipped 'needs a running gateway/);
    expect(run.output).toMatch(/test_serves_variables_with_spaces_ampersands_equals_and_unicode/);
    expect(run.output).toMatch(/test_generated_prompts_compile_as_the_gateway_serves_them/);
    expect(run.output).toMatch(/\nOK/);
    expect(stack.registry.serverErrors).toEqual([]);
  }, 480_000);
});
