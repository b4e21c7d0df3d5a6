import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (to make the sender time out). */
  delayMs?: number;
}

/**
 * A webhook subscriber listening on a loopback address: records every request and every
 * connection, and answers per path (`answer(path, nth)`, nth counting from 1 per path).
 */
export interface WebhookReceiver {
  host: string;
  port: number;
  url(path?: string): string;
  received: ReceivedDelivery[];
  /** TCP connections accepted, requests or not. */
  connections: number;
  on(path: string, answer: (nth: number) => Answer): void;
  at(path: string): ReceivedDelivery[];
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  close(): Promise<void>;
}

export async function startReceiver(host = '127.0.0.1'): Promise<WebhookReceiver> {
  const answers = new Map<string, (nth: number) => Answer>();
  const counts = new Map<string, number>();
  const received: ReceivedDelivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const nth = (counts.get(path) ?? 0) + 1;
      counts.set(path, nth);
      const answer = answers.get(path)?.(nth) ?? { status: 200 };
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end('ok');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs).unref();
      else reply();
    });
  });
  const receiver = {
    host,
    port: 0,
    received,
    connections: 0,
    url(path = '/') {
      return `http://${host.includes(':') ? `[${host}]` : host}:${receiver.port}${path}`;
    },
    on(path: string, answer: (nth: number) => Answer) {
      answers.set(path, answer);
    },
    at(path: string) {
      return received.filter((r) => r.path === path);
    },
    async waitFor(path: string, count: number, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (receiver.at(path).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      return receiver.at(path);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  server.on('connection', () => {
    receiver.connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  receiver.port = (server.address() as AddressInfo).port;
  return receiver;
}
