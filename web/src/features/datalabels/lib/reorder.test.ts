import type { DatalabelValue } from '@/lib/datalabels';
import { activeKeys, applyOrder, keysAfterDrop, keysAfterStep, moveItem } from './reorder';

const value = (key: number, sort_order: number, active_flag = true): DatalabelValue => ({
  key,
  name: `L${String(key)}`,
  sort_order,
  color_code: '#6B7280',
  terminal_flag: false,
  active_flag,
  created_ts: '2026-01-01T00:00:00Z',
  updated_ts: '2026-01-01T00:00:00Z',
});

// Display order: 0, 1, 2, 3 active; 9 deactivated, last.
const values = [value(0, 1), value(1, 2), value(2, 3), value(3, 4), value(9, 5, false)];

describe('datalabel reorder', () => {
  it('moves one item and clamps the target', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 1, 99)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 5, 0)).toEqual(['a', 'b', 'c']);
  });

  it('sends every active key once, never a deactivated one', () => {
    expect(activeKeys(values)).toEqual([0, 1, 2, 3]);
    expect(keysAfterDrop(values, 3, 1)).toEqual([0, 3, 1, 2]);
    expect(keysAfterDrop(values, 0, 3)).toEqual([1, 2, 3, 0]);
  });

  it('ignores drops on itself or on a deactivated value', () => {
    expect(keysAfterDrop(values, 2, 2)).toBeNull();
    expect(keysAfterDrop(values, 2, 9)).toBeNull();
    expect(keysAfterDrop(values, 9, 0)).toBeNull();
  });

  it('steps up and down, not past the ends (key 0 is a real key)', () => {
    expect(keysAfterStep(values, 0, 1)).toEqual([1, 0, 2, 3]);
    expect(keysAfterStep(values, 2, -1)).toEqual([0, 2, 1, 3]);
    expect(keysAfterStep(values, 0, -1)).toBeNull();
    expect(keysAfterStep(values, 3, 1)).toBeNull();
    expect(keysAfterStep(values, 9, -1)).toBeNull();
  });

  it('shows the new order at once, deactivated values after it', () => {
    const next = applyOrder(values, [3, 0, 1, 2]);
    expect(next.map((v) => [v.key, v.sort_order])).toEqual([
      [3, 1],
      [0, 2],
      [1, 3],
      [2, 4],
      [9, 5],
    ]);
  });
});
