// Choices for pickers, shared by every feature that picks: records of a type
// (GET /api/v1/entity/{entity}/options, keyed under the type's records so writes to them refresh
// the names) and the people and roles a grant can go to (GET /api/v1/rbac/grantees, open to anyone
// who may share, who may not be able to view employee records).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from './api-client';
import type { EntityType } from './registry';

export type EntityOption = components['schemas']['EntityOption'];
type GranteeType = components['schemas']['GranteeType'];

/** Where a picker's choices come from. */
export type OptionSource = { kind: 'records'; target: EntityType } | { kind: 'grantees'; granteeType: GranteeType };

const trimmed = (q: string) => (q.trim() === '' ? undefined : q.trim());

export const optionsQueryOptions = (source: OptionSource, q: string) =>
  source.kind === 'records'
    ? {
        queryKey: ['records', source.target, 'options', q] as const,
        queryFn: async ({ signal }: { signal: AbortSignal }): Promise<EntityOption[]> =>
          unwrap(
            await api.GET('/api/v1/entity/{entity}/options', {
              params: { path: { entity: source.target }, query: { q: trimmed(q), limit: 20 } },
              signal,
            }),
          ).data,
      }
    : {
        queryKey: ['rbac', 'grantees', source.granteeType, q] as const,
        queryFn: async ({ signal }: { signal: AbortSignal }): Promise<EntityOption[]> =>
          unwrap(
            await api.GET('/api/v1/rbac/grantees', {
              params: { query: { grantee_type: source.granteeType, q: trimmed(q), limit: 20 } },
              signal,
            }),
          ).data,
      };

export const useEntityOptions = (source: OptionSource, q: string, enabled = true) =>
  useQuery<EntityOption[]>({
    ...optionsQueryOptions(source, q),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    enabled,
  });
