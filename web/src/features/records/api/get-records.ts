import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { type ListParams, recordKeys } from './keys';
import { type ListQuery, type RecordPage, listPath } from './paths';

export function toListQuery(params: ListParams, withTotal = true): ListQuery {
  const query: Record<string, string> = { limit: String(params.limit), ...params.filters };
  if (params.cursor) query['cursor'] = params.cursor;
  if (params.q.trim() !== '') query['q'] = params.q.trim();
  if (params.sort) {
    query['sort'] = params.sort;
    query['order'] = params.order;
  }
  if (params.deleted) query['deleted'] = 'true';
  if (withTotal) query['total'] = 'true';
  return query;
}

export async function getRecords(type: EntityType, params: ListParams, signal?: AbortSignal): Promise<RecordPage> {
  return unwrap(await api.GET(listPath(type), { params: { query: toListQuery(params) }, signal }));
}

export const recordsQueryOptions = (type: EntityType, params: ListParams) =>
  queryOptions({
    queryKey: recordKeys.list(type, params),
    queryFn: ({ signal }) => getRecords(type, params, signal),
    placeholderData: keepPreviousData,
  });

export const useRecords = (type: EntityType, params: ListParams) => useQuery(recordsQueryOptions(type, params));
