// Query keys of records, one factory so every query and mutation names the same keys.
export interface ListParams {
  limit: number;
  cursor: string | null;
  q: string;
  sort: string | null;
  order: 'asc' | 'desc';
  /** Field filters as query parameters, e.g. { 'project_stage.in': '1,2' }. */
  filters: Record<string, string>;
  /** List soft-deleted records instead (to restore them). */
  deleted?: boolean;
}

export const recordKeys = {
  type: (type: string) => ['records', type] as const,
  lists: (type: string) => ['records', type, 'list'] as const,
  list: (type: string, params: ListParams) => ['records', type, 'list', params] as const,
  board: (type: string, params: Omit<ListParams, 'cursor' | 'limit'>) => ['records', type, 'board', params] as const,
  boards: (type: string) => ['records', type, 'board'] as const,
  detail: (type: string, id: string) => ['records', type, 'detail', id] as const,
  childTabs: (type: string, id: string) => ['records', type, 'detail', id, 'child-tabs'] as const,
  childLists: (type: string, id: string, child: string) =>
    ['records', type, 'detail', id, 'children', child] as const,
  childList: (type: string, id: string, child: string, params: ListParams) =>
    ['records', type, 'detail', id, 'children', child, params] as const,
};

/** Matches the child lists of `child` under any parent: a changed record may be listed there. */
export function isChildListOf(child: string) {
  return (query: { queryKey: readonly unknown[] }) =>
    query.queryKey[0] === 'records' && query.queryKey[4] === 'children' && query.queryKey[5] === child;
}
