import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { recordKeys } from './keys';
import { type EntityRecord, recordPath } from './paths';

export async function getRecord(type: EntityType, id: string, signal?: AbortSignal): Promise<EntityRecord> {
  return unwrap(await api.GET(recordPath(type), { params: { path: { id } }, signal }));
}

export const recordQueryOptions = (type: EntityType, id: string) =>
  queryOptions({
    queryKey: recordKeys.detail(type, id),
    queryFn: ({ signal }) => getRecord(type, id, signal),
  });

export const useRecord = (type: EntityType, id: string) => useQuery(recordQueryOptions(type, id));
