import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';

/**
 * How long an answer waits for the relay of what its request committed. Each consumer bounds its
 * own call (a Redis write, an eval job), so this only caps a relay stuck behind a long backlog.
 */
export const RELAY_WAIT_MS = 5000;

/**
 * The relay runs after commit; the answer to the request that committed waits for that relay,
 * so a client that got its 200 finds the gateways serving the change, as before the outbox. An
 * answer never fails on it: the change is committed, and what the relay could not do the sweep does.
 */
@Injectable()
export class RelayWait {
  private readonly storage = new AsyncLocalStorage<Array<Promise<void>>>();

  /** Runs `fn` as one request: the relays it pokes are collected for `settle`. */
  run<T>(relays: Array<Promise<void>>, fn: () => T): T {
    return this.storage.run(relays, fn);
  }

  /**
   * Runs `fn` outside any request: a relay started from one request must not count the commits it
   * makes itself (an eval marked failed) as that request's.
   */
  outside<T>(fn: () => T): T {
    return this.storage.exit(fn);
  }

  /** Called after a commit with the relay it poked; outside a request nothing waits for it. */
  add(relay: Promise<void>): void {
    this.storage.getStore()?.push(relay);
  }

  /** Resolves once every relay of `relays` has run, or after RELAY_WAIT_MS. */
  async settle(relays: Array<Promise<void>>): Promise<void> {
    if (relays.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, RELAY_WAIT_MS);
      timer.unref();
    });
    try {
      await Promise.race([Promise.all(relays).then(() => undefined, () => undefined), bound]);
    } finally {
      clearTimeout(timer);
    }
  }
}
