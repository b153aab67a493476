import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { fileKeys } from './keys';

/** Every version of a file, newest first (pending and failed uploads included). */
export const versionsQueryOptions = (rootId: string) =>
  queryOptions({
    queryKey: fileKeys.versions(rootId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/artifact/{id}/versions', { params: { path: { id: rootId } }, signal })).data,
  });

export const useVersions = (rootId: string) => useQuery(versionsQueryOptions(rootId));
