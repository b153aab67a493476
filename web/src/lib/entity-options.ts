// Choices for a picker of records (GET /api/v1/entity/{entity}/options), shared by every feature
// that picks records. Keyed under the type's records so writes to them refresh the names.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from './api-client';
import type { EntityType } from './registry';

export type EntityOption = components['schemas']['EntityOption'];

export const optionsQueryOptions = (entity: EntityType, q: string) =>
  queryOptions({
    queryKey: ['records', entity, 'options', q] as const,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/entity/{entity}/options', {
          params: { path: { entity }, query: { q: q.trim() === '' ? undefined : q.trim(), limit: 20 } },
          signal,
        }),
      ).data,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });

export const useEntityOptions = (entity: EntityType, q: string, enabled = true) =>
  useQuery({ ...optionsQueryOptions(entity, q), enabled });
