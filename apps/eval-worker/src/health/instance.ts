import { randomUUID } from 'node:crypto';

/** A well-formed PROMPTGATE_INSTANCE_ID, else a fresh random id. */
export function instanceId(given: string | undefined): string {
  return given !== undefined && /^[A-Za-z0-9_-]{8,64}$/.test(given) ? given : randomUUID();
}

/**
 * Names this process in /health, fixed at start: `npm start` passes each child the id it expects
 * (PROMPTGATE_INSTANCE_ID), so another process answering on the port is never taken for the service.
 */
export const HEALTH = Object.freeze({ status: 'ok', service: 'eval-worker', instance: instanceId(process.env.PROMPTGATE_INSTANCE_ID) });
