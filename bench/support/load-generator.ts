/**
 * Load generators for bench/serve.ts, both faster than the servers they measure (autocannon runs
 * in one Node thread and saturated before the servers did): raw node:net sockets spread over worker
 * threads (load-worker.ts), and wrk when Debian's package is installed. Each reports its own CPU
 * use next to the server's, so a reader can see which side was the bottleneck.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { BUCKET_US, type WorkerResult, type WorkerTask } from './load-worker.js';

export interface LoadOptions {
  host: string;
  port: number;
  connections: number;
  seconds: number;
  paths: string[];
  /** Header sets as name → value; connection i uses the (i mod length)-th. */
  headerSets: Array<Record<string, string>>;
  /** Requests in flight per connection (1: none pipelined). */
  pipelining?: number;
  /** Threads of the generator (worker threads, or wrk's -t). */
  threads: number;
  /** pid of the server, whose CPU time is read from /proc over the run. */
  serverPid?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  answers: number;
  statuses: Record<string, number>;
  cache?: { hit: number; miss: number; none: number };
  errors: number;
  /** CPU seconds per wall second (1.0 = one core busy) of the generator and of the server. */
  generatorCores: number;
  serverCores?: number;
}

const TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, from /proc/<pid>/stat (Linux); undefined elsewhere. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** VmRSS of a process in MB, from /proc/<pid>/status. */
export function processRssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const headerBlock = (headers: Record<string, string>) => Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');

function percentileOf(histogram: Uint32Array, total: number, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= rank) return ((i + 0.5) * BUCKET_US) / 1000;
  }
  return (histogram.length * BUCKET_US) / 1000;
}

function serverMeter(pid: number | undefined): () => number | undefined {
  if (pid === undefined) return () => undefined;
  const cpu0 = processCpuSeconds(pid);
  const t0 = performance.now();
  return () => {
    const cpu1 = processCpuSeconds(pid);
    return cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / ((performance.now() - t0) / 1000);
  };
}

/** The raw-socket generator: `connections` spread over `threads` worker threads. */
export async function workerLoad(o: LoadOptions): Promise<LoadResult> {
  const headerSets = o.headerSets.map(headerBlock);
  const perWorker = Array.from({ length: o.threads }, (_, w) => Math.floor(o.connections / o.threads) + (w < o.connections % o.threads ? 1 : 0));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const server = serverMeter(o.serverPid);
  let first = 0;
  const results = await Promise.all(perWorker.map((connections) => {
    const task: WorkerTask = {
      host: o.host, port: o.port, connections, firstConnection: first, pipelining: o.pipelining ?? 1, seconds: o.seconds, paths: o.paths, headerSets,
    };
    first += connections;
    return new Promise<WorkerResult>((resolve, reject) => {
      const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: task });
      worker.once('message', (result: WorkerResult) => resolve(result));
      worker.once('error', reject);
      worker.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
    });
  }));
  const serverCores = server();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const histogram = new Uint32Array(results[0].histogram.length);
  const statuses: Record<string, number> = {};
  const cache = { hit: 0, miss: 0, none: 0 };
  let answers = 0;
  let errors = 0;
  for (const r of results) {
    for (let i = 0; i < histogram.length; i++) histogram[i] += r.histogram[i];
    for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
    cache.hit += r.cache.hit;
    cache.miss += r.cache.miss;
    cache.none += r.cache.none;
    answers += r.answers;
    errors += r.errors;
  }
  const elapsed = Math.max(...results.map((r) => r.elapsedMs)) / 1000;
  return {
    rps: answers / elapsed, p50: percentileOf(histogram, answers, 50), p99: percentileOf(histogram, answers, 99),
    answers, statuses, cache, errors, generatorCores: (cpu.user + cpu.system) / 1e6 / wall, serverCores,
  };
}

export const WRK = '/usr/bin/wrk';
export const wrkAvailable = () => existsSync(WRK);

/** wrk's latency unit to ms. */
function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!m) throw new Error(`wrk printed a latency it cannot read: ${value}`);
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/**
 * wrk on one path with one header set, `--latency` for its percentiles. Run under bash so the
 * builtin `times` reports wrk's own CPU (a child's, once it has exited).
 */
export async function wrkLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.paths.length !== 1 || o.headerSets.length !== 1) throw new Error('wrkLoad takes one path and one header set');
  const args = ['-t', String(o.threads), '-c', String(o.connections), '-d', `${o.seconds}s`, '--latency'];
  for (const [k, v] of Object.entries(o.headerSets[0])) args.push('-H', `${k}: ${v}`);
  args.push(`http://${o.host}:${o.port}${o.paths[0]}`);
  const server = serverMeter(o.serverPid);
  const t0 = performance.now();
  const child = spawn('bash', ['-c', `"${WRK}" "$@"; code=$?; times; exit $code`, 'wrk', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const serverCores = server();
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const total = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1];
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1];
  if (!rps || !p50 || !p99) throw new Error(`wrk printed figures this bench cannot read:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socketErrors ? socketErrors.slice(1).reduce((s, n) => s + Number(n), 0) : 0;
  // `times`: the shell's user and system time, then its children's (wrk's).
  const times = [...out.matchAll(/(\d+)m([\d.]+)s (\d+)m([\d.]+)s/g)].at(-1);
  const generatorCores = times ? (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) / wall : NaN;
  return {
    rps, p50: ms(p50), p99: ms(p99), answers: total, statuses: non2xx ? { 'non-2xx': non2xx, '2xx': total - non2xx } : { '2xx': total },
    errors, generatorCores, serverCores,
  };
}
