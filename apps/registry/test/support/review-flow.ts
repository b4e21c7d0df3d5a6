import type { Server } from 'node:http';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { signup, uniqueEmail, workspaceWith, type SignedUp } from './registry.js';

export const api = (path: string) => `/api/v1${path}`;

export type EnvironmentName = 'development' | 'staging' | 'production';

/** A workspace with one member at every role, and its three default environments by name. */
export interface Team {
  owner: SignedUp;
  admin: SignedUp;
  reviewer: SignedUp;
  editor: SignedUp;
  viewer: SignedUp;
  ws: string;
  env: Record<EnvironmentName, string>;
}

export async function makeTeam(http: Server): Promise<Team> {
  const [owner, admin, reviewer, editor, viewer] = await Promise.all(
    ['owner', 'admin', 'reviewer', 'editor', 'viewer'].map((tag) => signup(http, uniqueEmail(tag))));
  const ws = await workspaceWith(http, owner, [
    { user: admin, role: 'admin' }, { user: reviewer, role: 'reviewer' }, { user: editor, role: 'editor' }, { user: viewer, role: 'viewer' },
  ]);
  const envs = await request(http).get(api(`/workspaces/${ws}/environments`)).set(owner.auth).expect(200);
  const env = Object.fromEntries(envs.body.items.map((e: { name: string; id: string }) => [e.name, e.id])) as Record<EnvironmentName, string>;
  return { owner, admin, reviewer, editor, viewer, ws, env };
}

function expectStatus(res: request.Response, status: number, what: string): void {
  if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** Creates a prompt whose version 1 is a draft; returns the prompt's and the version's ids. */
export async function createPrompt(http: Server, who: SignedUp, environmentId: string, key: string, content = `You are ${key}.`) {
  const res = await request(http).post(api(`/environments/${environmentId}/prompts`)).set(who.auth).send({ key, content });
  expectStatus(res, 201, 'creating a prompt');
  return { promptId: res.body.prompt.id as string, versionId: res.body.version.id as string };
}

/** Proposes a draft on the live version of the moment; returns its id. */
export async function propose(http: Server, who: SignedUp, promptId: string, content: string): Promise<string> {
  const res = await request(http).post(api(`/prompts/${promptId}/versions`)).set(who.auth).send({ content });
  expectStatus(res, 201, 'proposing a version');
  return res.body.version.id as string;
}

export async function submit(http: Server, who: SignedUp, versionId: string): Promise<void> {
  expectStatus(await request(http).post(api(`/versions/${versionId}/submit`)).set(who.auth), 200, 'submitting');
}

export function approve(http: Server, who: SignedUp, versionId: string, body: Record<string, unknown> = {}) {
  return request(http).post(api(`/versions/${versionId}/approve`)).set(who.auth).send(body);
}

/** Proposes (by the editor), submits and approves (by the reviewer): the version goes live. Returns the approved version. */
export async function shipVersion(http: Server, team: Team, promptId: string, content: string) {
  const versionId = await propose(http, team.editor, promptId, content);
  await submit(http, team.editor, versionId);
  const res = await approve(http, team.reviewer, versionId);
  expectStatus(res, 200, 'approving');
  return res.body.version as { id: string; version_num: number; live_from: string };
}

/** A prompt in the environment whose version 1 is live, proposed by the editor and approved by the reviewer. */
export async function livePrompt(http: Server, team: Team, environment: EnvironmentName, key: string, content = `You are ${key}.`) {
  const { promptId, versionId } = await createPrompt(http, team.editor, team.env[environment], key, content);
  await submit(http, team.editor, versionId);
  const res = await approve(http, team.reviewer, versionId);
  expectStatus(res, 200, 'approving version 1');
  return { promptId, versionId, version: res.body.version as { id: string; version_num: number; live_from: string } };
}

export interface AuditRow {
  seq: string;
  action: string;
  resource_type: string;
  resource_id: string;
  actor_email: string;
  extra: Record<string, unknown>;
}

/** The workspace's audit entries for one resource, oldest first. */
export async function auditOf(dataSource: DataSource, workspaceId: string, resourceId: string): Promise<AuditRow[]> {
  return (await dataSource.query(
    `SELECT seq, action, resource_type, resource_id, actor_email, extra FROM audit_log
      WHERE workspace_id = $1 AND resource_id = $2 ORDER BY seq`,
    [workspaceId, resourceId],
  )) as AuditRow[];
}

/** The prompt as stored: which version is live. */
export async function promptRow(dataSource: DataSource, promptId: string) {
  const [row] = (await dataSource.query(
    `SELECT p.key, p.environment_id, p.live_version_id, v.content AS live_content
       FROM prompts p LEFT JOIN prompt_versions v ON v.id = p.live_version_id WHERE p.id = $1`,
    [promptId],
  )) as Array<{ key: string; environment_id: string; live_version_id: string | null; live_content: string | null }>;
  return row;
}

export async function versionStatus(dataSource: DataSource, versionId: string): Promise<string> {
  const [row] = (await dataSource.query(`SELECT status FROM prompt_versions WHERE id = $1`, [versionId])) as Array<{ status: string }>;
  return row.status;
}
