// List state lives in the URL (q, sort, order, f.<field>, view, deleted) so links and the back button
// keep it; the cursor stack is page-local and starts over whenever the query changes.
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import type { EntityTypeInfo } from '@/lib/registry';
import type { ListParams } from '../api/keys';
import { type CursorStack, currentCursor, firstPage } from './cursor-stack';

export const PAGE_SIZE = 20;
const FILTER_PREFIX = 'f.';

export interface ListUrlState {
  q: string;
  sort: string | null;
  order: 'asc' | 'desc';
  /** field name -> chosen values (datalabel keys as strings). */
  filters: Record<string, string[]>;
  view: 'table' | 'board';
  /** Showing soft-deleted records (always as a table), to restore them. */
  deleted: boolean;
}

export function readListState(params: URLSearchParams, type: EntityTypeInfo): ListUrlState {
  const sortable = new Set(type.fields.filter((f) => f.sortable).map((f) => f.name));
  const filterable = new Set(type.fields.filter((f) => f.filterable).map((f) => f.name));
  const sort = params.get('sort');
  const filters: Record<string, string[]> = {};
  for (const [key, value] of params) {
    if (!key.startsWith(FILTER_PREFIX)) continue;
    const field = key.slice(FILTER_PREFIX.length);
    const values = value.split(',').filter((v) => v !== '');
    if (filterable.has(field) && values.length > 0) filters[field] = values;
  }
  return {
    q: params.get('q') ?? '',
    sort: sort && sortable.has(sort) ? sort : null,
    order: params.get('order') === 'desc' ? 'desc' : 'asc',
    filters,
    view: params.get('view') === 'board' && type.kanban_field ? 'board' : 'table',
    deleted: params.get('deleted') === 'true',
  };
}

export function writeListState(state: ListUrlState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.q !== '') params.set('q', state.q);
  if (state.sort) {
    params.set('sort', state.sort);
    params.set('order', state.order);
  }
  for (const [field, values] of Object.entries(state.filters)) {
    if (values.length > 0) params.set(`${FILTER_PREFIX}${field}`, values.join(','));
  }
  if (state.view === 'board') params.set('view', 'board');
  if (state.deleted) params.set('deleted', 'true');
  return params;
}

/** The API's filter parameters: one value as `field=v`, several as `field.in=a,b`. */
export function filterParams(filters: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, values] of Object.entries(filters)) {
    if (values.length === 1 && values[0] !== undefined) out[field] = values[0];
    else if (values.length > 1) out[`${field}.in`] = values.join(',');
  }
  return out;
}

/** Next sort after clicking a header: ascending, then descending, then back to the default. */
export function nextSort(state: Pick<ListUrlState, 'sort' | 'order'>, field: string): Pick<ListUrlState, 'sort' | 'order'> {
  if (state.sort !== field) return { sort: field, order: 'asc' };
  if (state.order === 'asc') return { sort: field, order: 'desc' };
  return { sort: null, order: 'asc' };
}

export function useListState(type: EntityTypeInfo) {
  const [params, setParams] = useSearchParams();
  const state = readListState(params, type);
  const identity = JSON.stringify([type.name, state.q, state.sort, state.order, state.filters, state.deleted]);
  const [paging, setPaging] = useState<{ identity: string; stack: CursorStack }>({ identity, stack: firstPage() });
  const stack = paging.identity === identity ? paging.stack : firstPage();

  const update = (patch: Partial<ListUrlState>) => setParams(writeListState({ ...state, ...patch }), { replace: true });
  const setStack = (next: CursorStack) => setPaging({ identity, stack: next });

  const listParams: ListParams = {
    limit: PAGE_SIZE,
    cursor: currentCursor(stack),
    q: state.q,
    sort: state.sort,
    order: state.order,
    filters: filterParams(state.filters),
    deleted: state.deleted,
  };
  return { state, update, stack, setStack, listParams };
}
