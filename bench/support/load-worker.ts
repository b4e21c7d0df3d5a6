/**
 * One worker thread of the raw-socket load generator (load-generator.ts): keep-alive connections
 * on node:net, each sending its next request as soon as an answer is complete (or keeping
 * `pipelining` in flight), parsing answers with byte searches only. Latencies go into a histogram
 * of 10 µs buckets, so the thread does no per-request allocation beyond the socket's own.
 */
import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export interface WorkerTask {
  host: string;
  port: number;
  connections: number;
  /** Index of this worker's first connection among all workers' (picks the connection's header set). */
  firstConnection: number;
  pipelining: number;
  seconds: number;
  /** Request lines' targets (path and query); each request picks one uniformly at random, or the only one. */
  paths: string[];
  /** Header blocks ("name: value\r\n"...); connection i uses headerSets[i % length]. */
  headerSets: string[];
}

export interface WorkerResult {
  answers: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  /** Answers by their x-prompt-cache header value (HIT, MISS, or none). */
  cache: { hit: number; miss: number; none: number };
  errors: number;
  /** Latency histogram: bucket i counts answers that took [10·i, 10·i + 10) µs; the last one everything above. */
  histogram: Uint32Array;
  elapsedMs: number;
}

export const BUCKET_US = 10;
export const BUCKETS = 200_000; // 2 s at 10 µs

const HEAD_END = Buffer.from('\r\n\r\n');
const LENGTH = Buffer.from('content-length:');
const LENGTH_CAPS = Buffer.from('Content-Length:');
const CACHE_HIT = Buffer.from('x-prompt-cache: HIT');
const CACHE_MISS = Buffer.from('x-prompt-cache: MISS');

function run(task: WorkerTask): Promise<WorkerResult> {
  const histogram = new Uint32Array(BUCKETS);
  const statuses: Record<string, number> = {};
  const cache = { hit: 0, miss: 0, none: 0 };
  let answers = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + task.seconds * 1000;
  const lines = task.paths.map((p) => `GET ${p} HTTP/1.1\r\n`);
  const single = lines.length === 1;

  const open = (index: number) => new Promise<void>((resolve) => {
    const head = `host: ${task.host}:${task.port}\r\n${task.headerSets[index % task.headerSets.length]}\r\n`;
    const fixed = single ? lines[0] + head : '';
    const next = () => (single ? fixed : lines[Math.floor(Math.random() * lines.length)] + head);
    const sentAt: number[] = [];
    let pending: Buffer | null = null;
    let stopping = false;
    const socket: Socket = connect({ host: task.host, port: task.port, noDelay: true });
    const send = (n: number) => {
      let out = '';
      const now = performance.now();
      for (let i = 0; i < n; i++) {
        out += next();
        sentAt.push(now);
      }
      socket.write(out, 'latin1');
    };
    socket.on('connect', () => send(task.pipelining));
    socket.on('data', (chunk: Buffer) => {
      const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
      let offset = 0;
      let done = 0;
      const now = performance.now();
      for (;;) {
        const headEnd = buf.indexOf(HEAD_END, offset);
        if (headEnd === -1) break;
        let lengthAt = buf.indexOf(LENGTH, offset);
        if (lengthAt === -1 || lengthAt > headEnd) lengthAt = buf.indexOf(LENGTH_CAPS, offset);
        let length = 0;
        if (lengthAt !== -1 && lengthAt < headEnd) {
          let i = lengthAt + LENGTH.length;
          while (buf[i] === 0x20) i++;
          for (; buf[i] >= 0x30 && buf[i] <= 0x39; i++) length = length * 10 + buf[i] - 0x30;
        }
        const end = headEnd + 4 + length;
        if (end > buf.length) break;
        const status = (buf[offset + 9] - 0x30) * 100 + (buf[offset + 10] - 0x30) * 10 + (buf[offset + 11] - 0x30);
        statuses[status] = (statuses[status] ?? 0) + 1;
        const hit = buf.indexOf(CACHE_HIT, offset);
        if (hit !== -1 && hit < headEnd) cache.hit++;
        else {
          const miss = buf.indexOf(CACHE_MISS, offset);
          if (miss !== -1 && miss < headEnd) cache.miss++;
          else cache.none++;
        }
        const us = (now - sentAt.shift()!) * 1000;
        histogram[Math.min(BUCKETS - 1, Math.floor(us / BUCKET_US))]++;
        answers++;
        done++;
        offset = end;
      }
      pending = offset === buf.length ? null : buf.subarray(offset);
      if (pending !== null && offset > 0) pending = Buffer.from(pending);
      if (done === 0) return;
      if (performance.now() < deadline) send(done);
      else if (sentAt.length === 0 && !stopping) {
        stopping = true;
        socket.end();
      }
    });
    socket.on('error', () => {
      errors++;
    });
    socket.on('close', () => resolve());
  });

  return Promise.all(Array.from({ length: task.connections }, (_, i) => open(task.firstConnection + i)))
    .then(() => ({ answers, statuses, cache, errors, histogram, elapsedMs: performance.now() - started }));
}

if (parentPort !== null) {
  const port = parentPort;
  void run(workerData as WorkerTask).then((result) => port.postMessage(result, [result.histogram.buffer as ArrayBuffer]));
}
