import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';

export const meQueryOptions = () =>
  queryOptions({
    queryKey: ['auth', 'me'] as const,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/auth/me', { signal })),
    staleTime: 5 * 60_000,
  });

export const useMe = () => useQuery(meQueryOptions());
