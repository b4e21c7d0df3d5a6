import { BatchedCalls } from './batched-calls.js';

/** A run the test answers by hand, recording each batch it was given. */
function manualRun() {
  const batches: Array<{ items: number[]; answer: (results?: string[]) => void; fail: (err: Error) => void }> = [];
  const run = (items: number[]) => new Promise<string[]>((resolve, reject) => {
    batches.push({ items, answer: (results) => resolve(results ?? items.map((i) => `r${i}`)), fail: reject });
  });
  return { batches, run };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('BatchedCalls', () => {
  it('sends a call at once when nothing is in flight, and the calls made meanwhile together in the next batch', async () => {
    const { batches, run } = manualRun();
    const calls = new BatchedCalls(run);
    const first = calls.call(1);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    const waiting = [calls.call(2), calls.call(3), calls.call(4)];
    await tick();
    expect(batches).toHaveLength(1);
    batches[0].answer();
    await expect(first).resolves.toBe('r1');
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1].answer();
    await expect(Promise.all(waiting)).resolves.toEqual(['r2', 'r3', 'r4']);
  });

  it('never sends more than maxBatch calls in one batch', async () => {
    const { batches, run } = manualRun();
    const calls = new BatchedCalls(run, 2);
    const all = [1, 2, 3, 4, 5].map((i) => calls.call(i));
    await tick();
    batches[0].answer();
    await tick();
    batches[1].answer();
    await tick();
    batches[2].answer();
    await expect(Promise.all(all)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('rejects every call of a failed batch, and goes on with the next', async () => {
    const { batches, run } = manualRun();
    const calls = new BatchedCalls(run);
    const first = calls.call(1);
    await tick();
    const second = [calls.call(2), calls.call(3)];
    batches[0].answer();
    await first;
    await tick();
    batches[1].fail(new Error('connection lost'));
    for (const call of second) await expect(call).rejects.toThrow('connection lost');
    const third = calls.call(4);
    await tick();
    batches[2].answer();
    await expect(third).resolves.toBe('r4');
  });

  it('rejects a batch answered with the wrong number of results', async () => {
    const { batches, run } = manualRun();
    const calls = new BatchedCalls(run);
    const call = calls.call(1);
    await tick();
    batches[0].answer([]);
    await expect(call).rejects.toThrow('a batch of 1 answered 0 results');
  });

  it('refuses a maxBatch that is not a positive integer', () => {
    expect(() => new BatchedCalls(async (items: number[]) => items, 0)).toThrow('maxBatch');
  });
});
