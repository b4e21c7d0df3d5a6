/**
 * The baselines of the gateway benchmark, answering every GET with one constant text body
 * (BENCH_BODY) on BENCH_PORT: bare Fastify (BENCH_KIND=fastify, the default) or a bare node:http
 * server (BENCH_KIND=node). Run as a child process so it owns its event loop.
 */
import http from 'node:http';
import Fastify from 'fastify';

const body = process.env.BENCH_BODY ?? 'ok';
const port = Number(process.env.BENCH_PORT ?? 0);
const TEXT = 'text/plain; charset=utf-8';

if (process.env.BENCH_KIND === 'node') {
  const length = String(Buffer.byteLength(body));
  const server = http.createServer((_request, response) => {
    response.writeHead(200, ['content-type', TEXT, 'content-length', length]);
    response.end(body);
  });
  server.keepAliveTimeout = 5_000;
  server.listen(port, '127.0.0.1', () => console.log(`bare node:http server listening on ${port}`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  const app = Fastify({ logger: false });
  app.get('/*', (_request, reply) => {
    reply.header('content-type', TEXT).send(body);
  });
  app.listen({ port, host: '127.0.0.1' }).then(
    (address) => console.log(`bare Fastify server listening on ${address}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}
