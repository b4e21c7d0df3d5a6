import net from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL that counts what its clients send: each simple
 * Query message ('Q', however many statements its text holds) and each Sync ('S', the end of one
 * extended-protocol query) is one round trip to the server; each Parse ('P') or Query is a
 * statement sent. Nothing is changed on the way; the counts are of every connection together.
 */
export class RoundTripCounter {
  roundTrips = 0;
  statements = 0;
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on a free port; answers it. */
  async open(): Promise<number> {
    const server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  /** The counts so far, and zero again. */
  take(): { roundTrips: number; statements: number } {
    const taken = { roundTrips: this.roundTrips, statements: this.statements };
    this.roundTrips = 0;
    this.statements = 0;
    return taken;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    upstream.pipe(client);
    let pending: Buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        if (!started) {
          // Untyped: the startup message, or an SSL / GSS encryption request before it.
          if (pending.length < 8) break;
          const length = pending.readInt32BE(0);
          if (pending.length < length) break;
          const code = pending.readInt32BE(4);
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) started = true;
          pending = pending.subarray(length);
          continue;
        }
        if (pending.length < 5) break;
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) break;
        const type = String.fromCharCode(pending[0]);
        if (type === 'Q' || type === 'S') this.roundTrips += 1;
        if (type === 'Q' || type === 'P') this.statements += 1;
        pending = pending.subarray(1 + length);
      }
    });
  }
}
