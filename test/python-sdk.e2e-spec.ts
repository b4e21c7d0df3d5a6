import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { livePrompt, makeTeam, shipVersion, type Team } from '../apps/registry/test/support/review-flow.js';
import { ROOT } from './support/build.js';
import { bootStack, issueApiKey, type RunningGateway, type Stack } from './support/stack.js';
import { chatPrompt, runProcess } from './support/python-sdk.js';

/**
 * The Python SDK (sdks/python) against a real registry and gateway: this file boots them, seeds a
 * few prompts through the registry's API, and runs the SDK's own unittest suite with the URLs,
 * tokens and ids in its environment. The Python tests create more prompts themselves through the
 * registry (revalidation, the property test) and count the SDK's requests through a recording proxy
 * of their own. A second gateway is theirs to stop: POST {control}/gateways/doomed/stop closes it
 * (the real app, as in test/sdk.e2e-spec.ts), so stale-if-error is shown against a gateway that is gone.
 */
const PYTHON = 'python3';
const SDK_DIR = join(ROOT, 'sdks', 'python');

describe('the Python SDK against a real registry and gateway', () => {
  let stack: Stack;
  let team: Team;
  let registryUrl: string;
  let apiKey: string;
  let limitedKey: string;
  let doomed: RunningGateway;
  let control: Server;
  let controlUrl: string;
  const seeded: Record<string, { prompt_id: string }> = {};

  beforeAll(async () => {
    stack = await bootStack();
    const http = stack.registry.http;
    // The Python side calls the registry over HTTP, so it listens on a port of its own.
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/api/v1`;
    team = await makeTeam(http);
    apiKey = (await issueApiKey(stack, team.admin, team.env.production, 10_000)).key;
    limitedKey = (await issueApiKey(stack, team.admin, team.env.production, 1)).key;
    doomed = await stack.startGateway();
    control = createServer((req, res) => {
      if (req.method !== 'POST' || req.url !== '/gateways/doomed/stop') {
        res.writeHead(404).end();
        return;
      }
      const index = stack.gateways.indexOf(doomed);
      // Closed here, so the stack must not close it again; a second stop is a no-op.
      const closing = index === -1 ? Promise.resolve() : (stack.gateways.splice(index, 1), doomed.app.close());
      closing.then(() => res.writeHead(204).end(), () => res.writeHead(500).end());
    });
    await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
    controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;

    seeded['py.greeting'] = await livePrompt(http, team, 'production', 'py.greeting', 'Hello {{name}}, this is {{company}} support.').then((p) => ({ prompt_id: p.promptId }));
    const pinned = await livePrompt(http, team, 'production', 'py.pinned', 'Version one for {{name}}');
    await shipVersion(http, team, pinned.promptId, 'Version two for {{name}}');
    seeded['py.pinned'] = { prompt_id: pinned.promptId };
    seeded['py.chat'] = { prompt_id: await chatPrompt(http, team, 'py.chat') };
  }, 120_000);
  afterAll(async () => {
    control?.close();
    await stack?.close();
  });

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
      PROMPTGATE_TEST_LIMITED_API_KEY: limitedKey,
      PROMPTGATE_TEST_DOOMED_URL: doomed.url,
      PROMPTGATE_TEST_CONTROL_URL: controlUrl,
    };
    // Asynchronous on purpose: the gateway and the registry answer from this very process.
    const run = await runProcess(PYTHON, ['-m', 'unittest', 'discover', '-s', join(SDK_DIR, 'tests'), '-v'], { cwd: ROOT, env, timeoutMs: 420_000 });
    if (run.code !== 0) process.stderr.write(`python3 -m unittest exited ${String(run.code)}:\n${run.output}\n`);
    expect(run.code).toBe(0);
    // Every live test ran: none was skipped for want of a gateway, a registry or a setting.
    expect(run.output).not.toMatch(/skipped 'needs /);
    expect(run.output).toMatch(/test_serves_variables_with_spaces_ampersands_equals_and_unicode/);
    expect(run.output).toMatch(/test_generated_prompts_compile_as_the_gateway_serves_them/);
    expect(run.output).toMatch(/test_keeps_serving_the_last_good_answer_once_the_real_gateway_is_stopped \S+ \.\.\. ok/);
    expect(stack.gateways).not.toContain(doomed);
    expect(run.output).toMatch(/\nOK/);
    expect(stack.registry.serverErrors).toEqual([]);
  }, 480_000);
});
