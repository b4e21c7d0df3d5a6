import fc from 'fast-check';

/**
 * Request fuzzing driven by an OpenAPI document (or a hand-written operation list): for every
 * operation, a valid-ish request with one part made hostile (a body field, the body as a whole, a
 * path parameter, the query, the credentials or the method), sent to a service on 127.0.0.1, with
 * the answer checked: never a 5xx, the JSON error shape on every 4xx, and nothing written by a
 * refused request (the caller's `snapshot` of the database is unchanged).
 */

export interface JsonSchema {
  type?: string;
  format?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  maximum?: number;
  nullable?: boolean;
  $ref?: string;
  allOf?: JsonSchema[];
}

export interface FuzzOperation {
  method: string;
  /** The path template, `{name}` for each parameter. */
  path: string;
  query: Record<string, JsonSchema>;
  /** Query text every valid-ish request carries: the required parameters, from their examples. */
  baseQuery?: string;
  body?: JsonSchema;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, {
    parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
    requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the document, its `$ref`s resolved. */
export function operationsOf(doc: OpenApiDocument): FuzzOperation[] {
  const schemas = doc.components?.schemas ?? {};
  const resolve = (s: JsonSchema | undefined, seen = 0): JsonSchema | undefined => {
    if (!s || seen > 10) return s;
    if (s.$ref) return resolve(schemas[s.$ref.replace('#/components/schemas/', '')], seen + 1);
    if (s.allOf?.length) return { ...resolve(s.allOf[0], seen + 1), nullable: s.nullable };
    const out: JsonSchema = { ...s };
    if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, resolve(v, seen + 1) as JsonSchema]));
    if (s.items) out.items = resolve(s.items, seen + 1);
    return out;
  };
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const inQuery = (op.parameters ?? []).filter((p) => p.in === 'query');
      const query = Object.fromEntries(inQuery.map((p) => [p.name, p.schema ?? {}]));
      const baseQuery = inQuery.filter((p) => p.required && p.schema?.example !== undefined)
        .map((p) => `${p.name}=${encodeURIComponent(String(p.schema?.example))}`).join('&');
      ops.push({ method: method.toUpperCase(), path, query, baseQuery, body: resolve(op.requestBody?.content?.['application/json']?.schema) });
    }
  }
  return ops;
}

/** Text put into the JSON body as it is: numbers no JavaScript number holds, deep nesting. */
export class RawJson {
  constructor(readonly text: string) {}
}
const raw = (text: string) => new RawJson(text);

/** JSON text for a value that may hold RawJson nodes and own `__proto__` keys. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${toJsonText((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object with `key` as an own property, `__proto__` included. */
function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(object)) Object.defineProperty(copy, k, { value: object[k], enumerable: true, writable: true, configurable: true });
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const nest = (depth: number, leaf: string) => raw('['.repeat(depth) + leaf + ']'.repeat(depth));
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Values no field should take: wrong types, NUL and surrogates, boundary numbers, huge and nested values. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.5, '', ' ', [], {}, [null], { a: 1 }, '0', '1', 'true', 'null'),
  fc.constantFrom('a\u0000b', '\u0000', '\ud800', 'x\udfff', '\udc00\ud800', 'ok\u0000\ud83d', 'é😀\u0000'),
  fc.constantFrom(
    raw('2147483647'), raw('2147483648'), raw('-2147483649'), raw('9007199254740991'), raw('9007199254740993'),
    raw('99999999999999999999'), raw('1e308'), raw('-1e308'), raw('1e400'), raw('-0'), raw('5e-324'), raw('1.0'), raw('1E3'),
  ),
  fc.constantFrom('a'.repeat(2049), 'é'.repeat(20_000), '😀'.repeat(70_000), 'x'.repeat(300_000), '{{a}}'.repeat(10_000)),
  fc.integer({ min: 30, max: 40 }).map((d) => nest(d, '1')),
  fc.constantFrom(nest(1000, '"x"'), nest(100_000, '')),
  fc.string({ unit: codeUnit, maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.uuid(),
  fc.integer(),
  fc.double(),
);

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
const extraKey = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'is_admin', 'id', 'workspace_id', 'role', 'a\u0000', '\ud800', ''), fc.string({ maxLength: 12 }));

/** Ids and names the requests use, so that they reach real rows and real code. */
export interface FuzzContext {
  /** Real values for a path parameter, by the path segment before it (`workspaces` → workspace ids). */
  pathValues: Record<string, string[]>;
  /** Values of body fields by name (`email` → real emails, `url` → local URLs only). */
  fieldValues: Record<string, unknown[]>;
  /** Authorization headers of real callers (several roles), tried in turn. */
  auth: string[];
  /** Authorization headers no service should accept. */
  badAuth: string[];
}

/** A valid-ish value for a schema: examples and real values first, then generated ones. */
function validish(schema: JsonSchema | undefined, name: string, ctx: FuzzContext, depth = 0): fc.Arbitrary<unknown> {
  const known = ctx.fieldValues[name];
  if (known?.length) return fc.constantFrom(...known);
  if (!schema) return fc.constant('x');
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const example = schema.example === undefined ? [] : [fc.constant(schema.example)];
  switch (schema.type) {
    case 'string':
      if (schema.format === 'uuid') return fc.oneof(...pathValueArbs(ctx), fc.uuid());
      return fc.oneof(...example, fc.string({ minLength: 1, maxLength: 16 }).map((s) => `${name}-${s}`));
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? 0;
      const max = Math.min(schema.maximum ?? 1000, min + 1000);
      return fc.oneof(...example, schema.type === 'integer' || Number.isInteger(schema.example) ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }));
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.oneof(...example, fc.array(validish(schema.items, name, ctx, depth + 1), { minLength: 1, maxLength: 3 }));
    default:
      if (schema.properties && depth < 4) return objectOf(schema, ctx, depth);
      return example.length ? fc.oneof(...example, fc.constant(null)) : fc.constant(null);
  }
}

function pathValueArbs(ctx: FuzzContext): fc.Arbitrary<string>[] {
  const all = Object.values(ctx.pathValues).flat();
  return all.length ? [fc.constantFrom(...all)] : [];
}

/** The required properties and some optional ones, each valid-ish. */
function objectOf(schema: JsonSchema, ctx: FuzzContext, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(props).map(([k, s]) => [k, validish(s, k, ctx, depth + 1)] as const);
  const requiredKeys = entries.filter(([k]) => required.has(k)).map(([k]) => k);
  return fc.record(Object.fromEntries(entries), { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
}

/** A path with one hostile value in it, percent-encoded or not. */
const badPathValue = fc.oneof(
  fc.constantFrom(
    'not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00', 'a%00b', '%ED%A0%80', '%', '%zz', '%C0%AF', '..', '.',
    '12345678-1234-1234-1234-1234567890123', 'x'.repeat(3000), '%F0%9F%98%80', '00000000-0000-4000-8000-000000000000%00',
    '%20', '1', '-1', '2147483648', '9007199254740993', '1e308', 'null', 'undefined', '__proto__', 'constructor', '%2F', 'a%2Fb',
  ),
  fc.uuid(),
  fc.string({ unit: codeUnit, minLength: 1, maxLength: 20 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))),
);

/** Hostile query text: boundary numbers, NUL, invalid UTF-8, forged cursors, repeated and unknown keys. */
function badQuery(op: FuzzOperation): fc.Arbitrary<string> {
  const cursors = [
    '[9007199254740991]', '[2147483648]', '[-1]', '[0]', '["x"]', '[null]', '[]', '{}', '{"__proto__":1}', '[[[[[[[[[[1]]]]]]]]]]',
    '["2026-01-01T00:00:00.000000Z","00000000-0000-4000-8000-000000000000"]', '["2026-13-45T99:00:00.000000Z","x"]', '[1e308]',
    '"x"', '1', `[${'['.repeat(5000)}${']'.repeat(5000)}]`, '["\\u0000"]', '["\\ud800"]',
  ].map((c) => Buffer.from(c).toString('base64url'));
  const values = fc.oneof(
    fc.constantFrom('-1', '0', '1', '1.5', '1e308', '99999999999999999999', '2147483648', 'abc', '', '%00', 'a%00b', '%ED%A0%80', '%', '%zz', 'x'.repeat(5000)),
    fc.constantFrom(...cursors),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
  );
  const names = [...Object.keys(op.query), 'limit', 'cursor', '__proto__', 'constructor', 'prototype', 'unknown', 'a%00', '%ED%A0%80'];
  const pair = fc.tuple(fc.constantFrom(...names), values).map(([k, v]) => `${k}=${v}`);
  return fc.oneof(
    fc.array(pair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.join('&')),
    fc.constantFrom('limit[]=1', 'limit[a]=1', 'cursor[__proto__]=1', 'limit=1&limit=2', '%', '&&&', '=', 'a=%00&b=%ED%A0%80'),
  );
}

export interface FuzzRequest {
  operation: string;
  mutation: string;
  method: string;
  /** Path and query, percent-encoded as they go on the wire. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function fillPath(template: string, ctx: FuzzContext): fc.Arbitrary<string> {
  const parts = template.split('/');
  const arbs = parts.map((part, i) => {
    if (!/^\{.+\}$/.test(part)) return fc.constant(part);
    const real = ctx.pathValues[parts[i - 1]] ?? [];
    return real.length ? fc.constantFrom(...real.map(encodeURIComponent)) : fc.uuid();
  });
  return fc.tuple(...arbs).map((p) => p.join('/'));
}

function withHostilePathValue(template: string, ctx: FuzzContext): fc.Arbitrary<string> {
  const params = template.split('/').map((p, i) => (/^\{.+\}$/.test(p) ? i : -1)).filter((i) => i >= 0);
  return fc.tuple(fillPath(template, ctx), fc.constantFrom(...params), badPathValue).map(([filled, index, bad]) => {
    const parts = filled.split('/');
    parts[index] = bad;
    return parts.join('/');
  });
}

/** Replaces (or adds) the value at one property of the body, at the top or one level down. */
function mutateBody(body: Record<string, unknown>, schema: JsonSchema | undefined): fc.Arbitrary<{ body: unknown; mutation: string }> {
  const keys = [...new Set([...Object.keys(body), ...Object.keys(schema?.properties ?? {})])];
  const options: fc.Arbitrary<{ body: unknown; mutation: string }>[] = [
    fc.tuple(extraKey, hostileValue).map(([k, v]) => ({ body: withKey(body, k, v), mutation: `extra key ${JSON.stringify(k)}` })),
    fc.constantFrom<[unknown, string]>(
      [[body], 'body in an array'], ['text', 'body a string'], [42, 'body a number'], [null, 'body null'], [raw('{"a":'), 'invalid JSON'],
      [nest(100_000, ''), 'body 100,000 arrays deep'], [raw(`{"x":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`), 'body 20,000 objects deep'],
    ).map(([b, mutation]) => ({ body: b, mutation })),
  ];
  if (keys.length) {
    options.push(fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ body: withKey(body, k, v), mutation: `field ${k}` })));
    options.push(fc.constantFrom(...keys).map((k) => {
      const copy = { ...body };
      delete copy[k];
      return { body: copy, mutation: `without ${k}` };
    }));
    const objects = keys.filter((k) => typeof body[k] === 'object' && body[k] !== null && !Array.isArray(body[k]));
    if (objects.length) {
      options.push(fc.tuple(fc.constantFrom(...objects), extraKey, hostileValue).map(([k, inner, v]) => ({
        body: withKey(body, k, withKey(body[k] as Record<string, unknown>, inner, v)), mutation: `field ${k}.${inner}`,
      })));
    }
  }
  return fc.oneof(...options);
}

/**
 * One hostile request for one of `operations`, weighted so that most requests are refused and a
 * few valid-ish ones still change state (so later requests meet more kinds of rows).
 */
export function hostileRequests(
  operations: FuzzOperation[],
  ctx: FuzzContext,
  /** How often an operation is picked relative to the others (1); slow ones (password hashing) lower. */
  weightOf: (op: FuzzOperation) => number = () => 1,
): fc.Arbitrary<FuzzRequest> {
  const perOperation = operations.map((op) => {
    const name = `${op.method} ${op.path}`;
    const baseBody = op.body ? objectOf(op.body, ctx) : fc.constant(undefined);
    const auth = fc.constantFrom(...ctx.auth);
    const base = fc.record({ path: fillPath(op.path, ctx), body: baseBody, auth });
    const make = (method: string, path: string, query: string, headers: Record<string, string>, body: unknown, mutation: string): FuzzRequest => ({
      operation: name,
      mutation,
      method,
      url: (query || op.baseQuery) ? `${path}?${query || op.baseQuery}` : path,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : toJsonText(body),
    });
    const kinds: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }> = [
      { weight: 1, arbitrary: base.map((b) => make(op.method, b.path, '', { authorization: b.auth }, b.body, 'none (valid-ish)')) },
      {
        weight: 3,
        arbitrary: fc.tuple(base, badQuery(op)).map(([b, q]) => make(op.method, b.path, q, { authorization: b.auth }, b.body, 'query')),
      },
      {
        weight: 2,
        arbitrary: fc.tuple(base, fc.constantFrom(...ctx.badAuth, '')).map(([b, a]) =>
          make(op.method, b.path, '', a ? { authorization: a } : {}, b.body, 'credentials')),
      },
      {
        weight: 1,
        arbitrary: fc.tuple(base, fc.constantFrom(...HTTP_METHODS.map((m) => m.toUpperCase()).filter((m) => m !== op.method))).map(([b, m]) =>
          make(m, b.path, '', { authorization: b.auth }, m === 'GET' || m === 'DELETE' ? undefined : b.body ?? {}, `method ${m}`)),
      },
    ];
    if (op.path.includes('{')) {
      kinds.push({
        weight: 3,
        arbitrary: fc.tuple(base, withHostilePathValue(op.path, ctx)).map(([b, p]) => make(op.method, p, '', { authorization: b.auth }, b.body, 'path parameter')),
      });
    }
    if (op.body) {
      kinds.push({
        weight: 6,
        arbitrary: base.chain((b) => mutateBody(b.body as Record<string, unknown>, op.body).map((m) =>
          make(op.method, b.path, '', { authorization: b.auth }, m.body, m.mutation))),
      });
      kinds.push({
        weight: 1,
        arbitrary: fc.tuple(base, fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/evil+json')).map(([b, type]) => ({
          ...make(op.method, b.path, '', { authorization: b.auth }, b.body, `content-type ${type}`),
          headers: { authorization: b.auth, 'content-type': type },
        })),
      });
    }
    return { weight: Math.max(1, Math.round(weightOf(op) * 10)), arbitrary: fc.oneof(...kinds) };
  });
  return fc.oneof(...perOperation);
}

export interface FuzzFailure {
  request: FuzzRequest;
  problem: string;
}

export interface FuzzReport {
  cases: number;
  statuses: Record<number, number>;
  failures: FuzzFailure[];
  seed: number;
  /** True when the time limit stopped the run before `runs` cases. */
  interrupted?: boolean;
  ms?: number;
  /** Milliseconds spent waiting for answers and taking snapshots. */
  requestMs?: number;
  snapshotMs?: number;
  /** Milliseconds waited per operation, for finding what slows a run. */
  msByOperation?: Record<string, number>;
  /** Cases sent per operation. */
  casesByOperation: Record<string, number>;
}

/** The problem with an answer, if any: a 5xx, or a 4xx without the `{error: {code, message}}` shape. */
function answerProblem(status: number, contentType: string | null, text: string): string | null {
  if (status >= 500) return `answered ${status}: ${text.slice(0, 300)}`;
  if (status < 400) return null;
  if (!contentType?.includes('application/json')) return `answered ${status} as ${contentType}: ${text.slice(0, 200)}`;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') return `answered ${status} without the error shape: ${text.slice(0, 200)}`;
  } catch {
    return `answered ${status} with invalid JSON: ${text.slice(0, 200)}`;
  }
  return null;
}

export interface FuzzRun {
  /** The service's base URL: must be on 127.0.0.1, localhost or [::1]. */
  baseUrl: string;
  requests: fc.Arbitrary<FuzzRequest>;
  runs: number;
  seed?: number;
  /** A cheap fingerprint of everything a request could write (row counts, audit heads, ...). */
  snapshot: () => Promise<string>;
  /** Stops early (still reporting what ran) once this many milliseconds have passed. */
  timeLimitMs: number;
}

const LOCAL = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

/** Sends `runs` hostile requests one at a time and reports every failure (never throws for one). */
export async function runFuzz(run: FuzzRun): Promise<FuzzReport> {
  if (!LOCAL.test(run.baseUrl)) throw new Error(`fuzzing only talks to this machine, not ${run.baseUrl}`);
  const seed = run.seed ?? Date.now() % 2 ** 31;
  const report: FuzzReport = { cases: 0, statuses: {}, failures: [], seed, requestMs: 0, snapshotMs: 0, msByOperation: {}, casesByOperation: {} };
  let known = await run.snapshot();
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(run.requests, async (req) => {
      report.cases += 1;
      report.casesByOperation[req.operation] = (report.casesByOperation[req.operation] ?? 0) + 1;
      let status: number;
      let text: string;
      let contentType: string | null;
      const sent = performance.now();
      try {
        const res = await fetch(`${run.baseUrl}${req.url}`, {
          method: req.method, headers: req.headers, body: req.body, redirect: 'manual', signal: AbortSignal.timeout(15_000),
        });
        status = res.status;
        contentType = res.headers.get('content-type');
        text = await res.text();
      } catch (err) {
        report.failures.push({ request: req, problem: `no answer: ${(err as Error).message}` });
        return;
      } finally {
        const took = performance.now() - sent;
        report.requestMs! += took;
        report.msByOperation![req.operation] = (report.msByOperation![req.operation] ?? 0) + took;
      }
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      const problem = answerProblem(status, contentType, text);
      if (problem) report.failures.push({ request: req, problem });
      const snapped = performance.now();
      const now = await run.snapshot();
      report.snapshotMs! += performance.now() - snapped;
      if (status >= 400 && now !== known) report.failures.push({ request: req, problem: `refused with ${status} but wrote: ${diff(known, now)}` });
      known = now;
    }),
    { numRuns: run.runs, seed, endOnFailure: true, interruptAfterTimeLimit: run.timeLimitMs, markInterruptAsFailure: false },
  );
  report.interrupted = report.cases < run.runs;
  report.ms = Date.now() - started;
  return report;
}

function diff(before: string, after: string): string {
  const a = before.split(';');
  const b = after.split(';');
  return b.filter((part, i) => part !== a[i]).join('; ').slice(0, 300);
}

/** A short account of a report's failures, grouped by operation, mutation and problem. */
export function describeFailures(report: FuzzReport, max = 15): string {
  const groups = new Map<string, FuzzFailure[]>();
  for (const f of report.failures) {
    const key = `${f.request.operation} | ${f.request.mutation} | ${f.problem.replace(/[0-9a-f-]{36}/g, '<uuid>').slice(0, 120)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.entries()].slice(0, max).map(([key, fs]) => {
    const f = fs[0];
    return `${fs.length}x ${key}\n   e.g. ${f.request.method} ${f.request.url.slice(0, 200)} body=${(f.request.body ?? '').slice(0, 200)}\n   ${f.problem.slice(0, 300)}`;
  }).join('\n');
}

// Updated in the background (the outbox relay marks events relayed and consumptions done; the usage
// flush adds batches), not by the request being answered: only their row counts are compared, or nothing.
const COUNT_ONLY = new Set(['outbox_events', 'outbox_consumptions', 'webhook_deliveries']);
const NOT_COMPARED = new Set(['serve_usage_batches']);

/**
 * One statement fingerprinting everything a request could write: per table its row count and the
 * sum of its rows' xmin (any insert, update or delete changes one), and each workspace's audit head.
 */
export async function snapshotOf(
  db: { query(sql: string): Promise<unknown> },
  /** More tables a background job updates during the run (the usage flush adds serve counts to api_keys and prompt_versions). */
  alsoCountOnly: string[] = [],
): Promise<() => Promise<string>> {
  const countOnly = new Set([...COUNT_ONLY, ...alsoCountOnly]);
  const tables = (await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  )) as Array<{ table_name: string }>;
  const parts = tables.filter(({ table_name: t }) => !NOT_COMPARED.has(t)).map(({ table_name: t }) => countOnly.has(t)
    ? `(SELECT '${t}=' || count(*) FROM "${t}")`
    : `(SELECT '${t}=' || count(*) || '/' || coalesce(sum(xmin::text::bigint), 0) FROM "${t}")`);
  parts.push(`(SELECT 'audit_heads=' || coalesce(string_agg(workspace_id || '@' || seq, ',' ORDER BY workspace_id), '')
    FROM (SELECT workspace_id, max(seq) AS seq FROM audit_log GROUP BY workspace_id) heads)`);
  const sql = `SELECT concat_ws(';', ${parts.join(', ')}) AS snapshot`;
  return async () => ((await db.query(sql)) as Array<{ snapshot: string }>)[0].snapshot;
}
