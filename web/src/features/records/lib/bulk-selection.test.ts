import { describe, expect, it } from 'vitest';
import { emptySelection, headerState, runLimited, splitAllowed, summarise, toggleAll, toggleOne } from './bulk-selection';

describe('bulk selection', () => {
  it('toggles one row in and out', () => {
    const one = toggleOne(emptySelection, 'a');
    expect(one).toEqual(['a']);
    expect(toggleOne(toggleOne(one, 'b'), 'a')).toEqual(['b']);
  });

  it('the header is none, some or all of the page', () => {
    const page = ['a', 'b', 'c'];
    expect(headerState([], page)).toBe('none');
    expect(headerState(['b'], page)).toBe('some');
    expect(headerState(['c', 'a', 'b'], page)).toBe('all');
    expect(headerState([], [])).toBe('none');
  });

  it('the header selects the rest of the page, then clears the page', () => {
    const page = ['a', 'b', 'c'];
    const all = toggleAll(['b'], page);
    expect(all).toEqual(['b', 'a', 'c']);
    expect(toggleAll(all, page)).toEqual([]);
    expect(toggleAll([], [])).toEqual([]);
  });

  it('splits the selection into rows one may act on and the others, skipping ids not on the page', () => {
    const rows = [
      { id: 'a', ok: true },
      { id: 'b', ok: false },
      { id: 'c', ok: true },
    ];
    const split = splitAllowed(['c', 'b', 'gone'], rows, (r) => r.id, (r) => r.ok);
    expect(split.allowed.map((r) => r.id)).toEqual(['c']);
    expect(split.refused.map((r) => r.id)).toEqual(['b']);
  });

  it('runs at most `limit` tasks at once, keeps the order and turns failures into messages', async () => {
    let running = 0;
    let peak = 0;
    const outcomes = await runLimited([1, 2, 3, 4, 5], 2, (n) => `r${n}`, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5 * (6 - n)));
      running -= 1;
      if (n % 2 === 0) throw new Error(`refused ${n}`);
    });
    expect(peak).toBe(2);
    expect(outcomes).toEqual([
      { name: 'r1' },
      { name: 'r2', error: 'refused 2' },
      { name: 'r3' },
      { name: 'r4', error: 'refused 4' },
      { name: 'r5' },
    ]);
    expect(await runLimited([], 3, String, () => Promise.resolve())).toEqual([]);
  });

  it('summarises what was done and what failed', () => {
    expect(summarise([{ name: 'a' }, { name: 'b' }], 'deleted')).toEqual({ message: '2 deleted.', failures: [] });
    const mixed = summarise([{ name: 'a' }, { name: 'b', error: 'Version conflict' }], 'restored');
    expect(mixed.message).toBe('1 restored, 1 failed.');
    expect(mixed.failures).toEqual([{ name: 'b', error: 'Version conflict' }]);
  });
});
