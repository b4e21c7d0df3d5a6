/**
 * The baseline of the gateway benchmark: bare Fastify answering every GET with one constant text
 * body (BENCH_BODY), on BENCH_PORT. Run as a child process so it owns its event loop.
 */
import Fastify from 'fastify';

const body = process.env.BENCH_BODY ?? 'ok';
const app = Fastify({ logger: false });
app.get('/*', (_request, reply) => {
  reply.header('content-type', 'text/plain; charset=utf-8').send(body);
});
app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' }).then(
  (address) => console.log(`bare server listening on ${address}`),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
