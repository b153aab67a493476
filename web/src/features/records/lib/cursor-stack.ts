// Keyset pagination with a back button: the API only knows "next", so we remember the cursor
// of every page we have passed. The top of the stack is the cursor of the page on screen
// (null for the first page).
export interface CursorStack {
  readonly cursors: readonly (string | null)[];
}

export const firstPage = (): CursorStack => ({ cursors: [null] });

export function currentCursor(stack: CursorStack): string | null {
  return stack.cursors[stack.cursors.length - 1] ?? null;
}

export function pageNumber(stack: CursorStack): number {
  return stack.cursors.length;
}

export function hasPrevious(stack: CursorStack): boolean {
  return stack.cursors.length > 1;
}

/** Moves to the page after the current one; `next` is the current page's next_cursor. */
export function goNext(stack: CursorStack, next: string | null | undefined): CursorStack {
  if (next === null || next === undefined || next === '') return stack;
  return { cursors: [...stack.cursors, next] };
}

export function goPrevious(stack: CursorStack): CursorStack {
  if (!hasPrevious(stack)) return stack;
  return { cursors: stack.cursors.slice(0, -1) };
}
