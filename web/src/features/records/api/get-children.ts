import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { toListQuery } from './get-records';
import { type ListParams, recordKeys } from './keys';
import { type RecordPage, childPath } from './paths';

export const childRecordsQueryOptions = (type: EntityType, id: string, child: EntityType, params: ListParams) =>
  queryOptions({
    queryKey: recordKeys.childList(type, id, child, params),
    queryFn: async ({ signal }): Promise<RecordPage> =>
      unwrap(
        await api.GET(childPath(type, child), {
          params: { path: { id }, query: toListQuery(params) },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const useChildRecords = (type: EntityType, id: string, child: EntityType, params: ListParams) =>
  useQuery(childRecordsQueryOptions(type, id, child, params));
