import { jest } from '@jest/globals';
import { PeriodicSweep } from './periodic-sweep.js';

/** A promise the test settles by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('PeriodicSweep', () => {
  beforeEach(() => { jest.useFakeTimers(); });
  afterEach(() => { jest.useRealTimers(); });

  it('sweeps every interval, skips a tick while a sweep runs, and stop() waits for it', async () => {
    const runs: Array<ReturnType<typeof deferred>> = [];
    const periodic = new PeriodicSweep(1000, () => { const d = deferred(); runs.push(d); return d.promise; }, () => undefined);
    periodic.start();
    expect(runs).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(3000);
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toHaveLength(2);

    let stopped = false;
    const stopping = periodic.stop().then(() => { stopped = true; });
    await Promise.resolve();
    expect(stopped).toBe(false);
    runs[1]!.resolve();
    await stopping;
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toHaveLength(2);
  });

  it('hands a failed sweep to onError and sweeps again on the next tick', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const periodic = new PeriodicSweep(
      500,
      () => { calls += 1; return calls === 1 ? Promise.reject(new Error('db down')) : Promise.resolve(); },
      (err) => errors.push(err),
    );
    periodic.start();
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('db down')]);
    await periodic.stop();
  });
});
