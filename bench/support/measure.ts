import http from 'node:http';

/** One keep-alive connection, so a timing measures the server and not TCP setup. */
export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface Answer {
  status: number;
  body: string;
}

export function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: init.method ?? 'GET',
      agent: keepAliveAgent,
      headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...init.headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface Figures {
  name: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of sorted milliseconds. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Sends `warmup` untimed then `timed` timed requests one after another and reports their
 * latencies; any answer but 200 stops the benchmark, since its figures would mean nothing.
 */
export async function measure(name: string, url: string, headers: Record<string, string>, warmup = 30, timed = 300): Promise<Figures> {
  const once = async () => {
    const started = process.hrtime.bigint();
    const answer = await send(url, { headers });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (answer.status !== 200) throw new Error(`${name}: GET ${url} answered ${answer.status} ${answer.body.slice(0, 300)}`);
    return ms;
  };
  for (let i = 0; i < warmup; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < timed; i++) times.push(await once());
  times.sort((a, b) => a - b);
  return { name, requests: timed, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times[times.length - 1] };
}

export function formatFigures(rows: Figures[]): string {
  const width = Math.max(...rows.map((r) => r.name.length));
  const head = `${'request'.padEnd(width)}  ${['n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'].map((h) => h.padStart(8)).join('')}`;
  const lines = rows.map((r) => `${r.name.padEnd(width)}  ${[String(r.requests), ...[r.p50, r.p95, r.p99, r.max].map((v) => v.toFixed(2))].map((v) => v.padStart(8)).join('')}`);
  return [head, ...lines].join('\n');
}

/** A throwaway benchmark database on the server of DATABASE_URL. */
export function databaseUrl(name: string): string {
  const u = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/promptgate');
  u.pathname = `/${name}`;
  return u.toString();
}

/** The JSON body of an answer that must have the expected status. */
export async function json<T>(answer: Promise<{ status: number; body: string }>, expected: number): Promise<T> {
  const { status, body } = await answer;
  if (status !== expected) throw new Error(`expected ${expected}, got ${status}: ${body.slice(0, 300)}`);
  return JSON.parse(body) as T;
}
