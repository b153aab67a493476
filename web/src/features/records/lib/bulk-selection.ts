// Bulk select on list pages: which rows are selected, which of them the caller may act on, and
// what a bulk delete/restore came to. Pure, so the list page only wires it up.

/** Selected record ids, in the order they were picked. */
export type Selection = readonly string[];

export const emptySelection: Selection = [];

/** Selects `id`, or deselects it when it is selected. */
export function toggleOne(selection: Selection, id: string): Selection {
  return selection.includes(id) ? selection.filter((s) => s !== id) : [...selection, id];
}

/** What the header checkbox shows for the rows of the current page. */
export function headerState(selection: Selection, pageIds: readonly string[]): 'none' | 'some' | 'all' {
  const picked = pageIds.filter((id) => selection.includes(id)).length;
  if (picked === 0) return 'none';
  return picked === pageIds.length ? 'all' : 'some';
}

/** The header checkbox: when every row of the page is selected it clears them, else it selects them all. */
export function toggleAll(selection: Selection, pageIds: readonly string[]): Selection {
  if (pageIds.length > 0 && headerState(selection, pageIds) === 'all') {
    return selection.filter((id) => !pageIds.includes(id));
  }
  return [...selection, ...pageIds.filter((id) => !selection.includes(id))];
}

/** Splits the selection into the rows the caller may act on and those they may not. Ids no longer
 * on the page are dropped. */
export function splitAllowed<Row>(
  selection: Selection,
  rows: readonly Row[],
  idOf: (row: Row) => string,
  allowed: (row: Row) => boolean,
): { allowed: Row[]; refused: Row[] } {
  const out: { allowed: Row[]; refused: Row[] } = { allowed: [], refused: [] };
  for (const id of selection) {
    const row = rows.find((r) => idOf(r) === id);
    if (row === undefined) continue;
    (allowed(row) ? out.allowed : out.refused).push(row);
  }
  return out;
}

export interface Outcome {
  name: string;
  /** Undefined when it worked; else the readable reason. */
  error?: string;
}

/** Runs `task` on every item with at most `limit` running at once; never rejects: each item's
 * failure becomes its outcome's `error`. Outcomes keep the items' order. */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  nameOf: (item: T) => string,
  task: (item: T) => Promise<unknown>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      try {
        await task(item);
        outcomes[index] = { name: nameOf(item) };
      } catch (error) {
        outcomes[index] = { name: nameOf(item), error: error instanceof Error ? error.message : String(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return outcomes;
}

/** The sentence after a bulk action, and the failures to list under it. */
export function summarise(outcomes: readonly Outcome[], verb: 'deleted' | 'restored'): { message: string; failures: Outcome[] } {
  const done = outcomes.filter((o) => o.error === undefined).length;
  const failures = outcomes.filter((o) => o.error !== undefined);
  const message =
    failures.length === 0
      ? `${done} ${verb}.`
      : `${done} ${verb}, ${failures.length} failed.`;
  return { message, failures };
}
