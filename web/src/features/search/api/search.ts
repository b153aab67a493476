import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';

export type SearchHit = components['schemas']['SearchHit'];

export const searchQueryOptions = (q: string) =>
  queryOptions({
    queryKey: ['search', q] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/search', { params: { query: { q, limit: 20 } }, signal })).data,
    placeholderData: keepPreviousData,
    staleTime: 15_000,
  });

/** Searches once the text has two characters or more. */
export const useSearch = (q: string) => useQuery({ ...searchQueryOptions(q.trim()), enabled: q.trim().length >= 2 });
