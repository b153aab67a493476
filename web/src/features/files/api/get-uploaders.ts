import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { uploaderNames } from '../lib/versions';
import { fileKeys } from './keys';

/** Who uploaded each version: the generic artifact list of the chain carries `created_by_name`,
 * which `GET …/versions` does not. */
export const uploadersQueryOptions = (rootId: string) =>
  queryOptions({
    queryKey: [...fileKeys.versions(rootId), 'uploaders'] as const,
    queryFn: async ({ signal }) => {
      const page = unwrap(
        await api.GET('/api/v1/artifact', { params: { query: { root_artifact_id: rootId, limit: '200' } }, signal }),
      );
      return uploaderNames(page.data);
    },
  });

export const useUploaders = (rootId: string) => useQuery(uploadersQueryOptions(rootId));
