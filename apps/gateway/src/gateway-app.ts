import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppLogger } from '#runtime';
import type { ServeRuntime } from './serve/serve-runtime.js';

/** A built gateway, routes ready and not yet listening: main.ts or a test calls listen(), then close(). */
export class GatewayApp {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly http: FastifyInstance,
    readonly runtime: ServeRuntime,
    readonly logger: AppLogger,
    private readonly shutdown: () => Promise<void>,
  ) {}

  /** Listens on `host:port` (0 for a free port); resolves to the URL it answers on. */
  async listen(port: number, host: string): Promise<string> {
    await this.http.listen({ port, host });
    return this.url;
  }

  /** The URL the gateway answers on, a loopback one when it listens on every address. */
  get url(): string {
    const { address, family, port } = this.http.server.address() as AddressInfo;
    if (family === 'IPv6') return `http://[${address === '::' ? '::1' : address}]:${port}`;
    return `http://${address === '0.0.0.0' ? '127.0.0.1' : address}:${port}`;
  }

  /** Stops in order; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }
}
