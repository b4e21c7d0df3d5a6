import fc from 'fast-check';
import { LruMap } from './lru-map.js';

describe('LruMap', () => {
  it('drops the least recently used entry past capacity, a read counting as a use', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect([lru.peek('a'), lru.peek('b'), lru.peek('c')]).toEqual([1, undefined, 3]);
    expect(lru.size).toBe(2);
  });

  it('peek does not refresh, set on an existing key replaces and refreshes', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.peek('a');
    lru.set('b', 20);
    lru.set('c', 3);
    expect([...lru.values()]).toEqual([20, 3]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow(RangeError);
  });

  it('behaves as a reference model: the last `capacity` distinct keys by last use', () => {
    const op = fc.tuple(fc.constantFrom('get', 'set', 'delete'), fc.integer({ min: 0, max: 9 }));
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
      const lru = new LruMap<number, number>(capacity);
      let model: Array<[number, number]> = [];
      ops.forEach(([kind, key], i) => {
        const at = model.findIndex(([k]) => k === key);
        if (kind === 'get') {
          expect(lru.get(key)).toBe(at < 0 ? undefined : model[at][1]);
          if (at >= 0) model = [...model.filter(([k]) => k !== key), model[at]];
        } else if (kind === 'set') {
          lru.set(key, i);
          model = [...model.filter(([k]) => k !== key), [key, i]];
          if (model.length > capacity) model = model.slice(1);
        } else {
          expect(lru.delete(key)).toBe(at >= 0);
          model = model.filter(([k]) => k !== key);
        }
      });
      expect([...lru.values()]).toEqual(model.map(([, v]) => v));
    }));
  });
});
