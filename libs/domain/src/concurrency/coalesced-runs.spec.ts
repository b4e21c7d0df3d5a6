import { CoalescedRuns } from './coalesced-runs.js';

/** A run the test ends by hand, recording when it started. */
function manualWork() {
  const started: Array<{ key: string; end: (err?: Error) => void }> = [];
  const work = (key: string) => new Promise<void>((resolve, reject) => {
    started.push({ key, end: (err) => (err ? reject(err) : resolve()) });
  });
  return { started, work };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('CoalescedRuns', () => {
  it('starts a run at once when the key is idle, and is idle again once it ended', async () => {
    const { started, work } = manualWork();
    const runs = new CoalescedRuns(work);
    const done = runs.after('a');
    await tick();
    expect(started.map((s) => s.key)).toEqual(['a']);
    expect(runs.inFlight).toBe(1);
    started[0].end();
    await done;
    await tick();
    expect(runs.inFlight).toBe(0);
  });

  it('gives callers arriving during a run one shared run that starts after it, never a third concurrent one', async () => {
    const { started, work } = manualWork();
    const runs = new CoalescedRuns(work);
    const first = runs.after('a');
    await tick();
    const waiting = [runs.after('a'), runs.after('a'), runs.after('a')];
    let settled = 0;
    for (const w of waiting) void w.then(() => settled++);
    await tick();
    // Still one run: the callers who came during it wait for the next, which has not started.
    expect(started).toHaveLength(1);
    started[0].end();
    await first;
    await tick();
    expect(started).toHaveLength(2);
    expect(settled).toBe(0);
    // A caller arriving now, during the second run, needs a third one.
    const late = runs.after('a');
    started[1].end();
    await Promise.all(waiting);
    expect(settled).toBe(3);
    await tick();
    expect(started).toHaveLength(3);
    started[2].end();
    await late;
  });

  it('runs keys independently', async () => {
    const { started, work } = manualWork();
    const runs = new CoalescedRuns(work);
    const a = runs.after('a');
    const b = runs.after('b');
    await tick();
    expect(started.map((s) => s.key).sort()).toEqual(['a', 'b']);
    for (const s of started) s.end();
    await Promise.all([a, b]);
  });

  it('rejects the callers of a failed run, and still starts the queued run after it', async () => {
    const { started, work } = manualWork();
    const runs = new CoalescedRuns(work);
    const first = runs.after('a');
    await tick();
    const second = runs.after('a');
    started[0].end(new Error('chain refused'));
    await expect(first).rejects.toThrow('chain refused');
    await tick();
    expect(started).toHaveLength(2);
    started[1].end();
    await expect(second).resolves.toBeUndefined();
  });

  it('rejects when the work throws before returning a promise', async () => {
    const runs = new CoalescedRuns<string>(() => {
      throw new Error('no connection');
    });
    await expect(runs.after('a')).rejects.toThrow('no connection');
    await tick();
    expect(runs.inFlight).toBe(0);
  });
});
