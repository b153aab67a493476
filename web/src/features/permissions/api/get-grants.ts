import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';
import type { GrantListQuery } from '../lib/grant-filter';
import { grantKeys } from './keys';

export type Grant = components['schemas']['Grant'];
export type GrantPage = components['schemas']['GrantPage'];

export const grantsQueryOptions = (query: GrantListQuery) =>
  queryOptions({
    queryKey: grantKeys.list(query),
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/rbac/grants', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

export const useGrants = (query: GrantListQuery | null) =>
  useQuery({ ...grantsQueryOptions(query ?? {}), enabled: query !== null });
