// Reordering a datalabel: the API takes every active key once, in the new order; deactivated
// values keep their place after the active ones.
import type { DatalabelValue } from '@/lib/datalabels';

/** `items` with the element at `from` moved to index `to` (both clamped to the list). */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const next = [...items];
  if (from < 0 || from >= next.length) return next;
  const target = Math.max(0, Math.min(next.length - 1, to));
  const [item] = next.splice(from, 1) as [T];
  next.splice(target, 0, item);
  return next;
}

/** The active keys in display order. */
export function activeKeys(values: readonly DatalabelValue[]): number[] {
  return values.filter((v) => v.active_flag).map((v) => v.key);
}

/** The request body's keys after moving `key` onto the position of `overKey` (a drag), or
 * `null` when nothing moves or either value is not active. */
export function keysAfterDrop(values: readonly DatalabelValue[], key: number, overKey: number): number[] | null {
  const keys = activeKeys(values);
  const from = keys.indexOf(key);
  const to = keys.indexOf(overKey);
  if (from < 0 || to < 0 || from === to) return null;
  return moveItem(keys, from, to);
}

/** The request body's keys after moving `key` one place up (-1) or down (+1), or `null` at an end. */
export function keysAfterStep(values: readonly DatalabelValue[], key: number, step: -1 | 1): number[] | null {
  const keys = activeKeys(values);
  const from = keys.indexOf(key);
  const to = from + step;
  if (from < 0 || to < 0 || to >= keys.length) return null;
  return moveItem(keys, from, to);
}

/** The values rearranged in `keys` order (active ones, with sort orders 1…n), the rest after
 * them unchanged: what the list shows while the reorder is on its way. */
export function applyOrder(values: readonly DatalabelValue[], keys: readonly number[]): DatalabelValue[] {
  const byKey = new Map(values.map((v) => [v.key, v]));
  const ordered = keys.flatMap((key, i) => {
    const value = byKey.get(key);
    return value ? [{ ...value, sort_order: i + 1 }] : [];
  });
  const rest = values.filter((v) => !keys.includes(v.key));
  return [...ordered, ...rest];
}
