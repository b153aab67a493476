import { queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';

export type DatalabelValue = components['schemas']['DatalabelValue'];

export const datalabelQueryOptions = (datalabel: string) =>
  queryOptions({
    queryKey: ['setting', datalabel] as const,
    queryFn: async ({ signal }) => {
      const page = unwrap(await api.GET('/api/v1/setting/{datalabel}', { params: { path: { datalabel } }, signal }));
      return [...page.data].sort((a, b) => a.sort_order - b.sort_order);
    },
    staleTime: 5 * 60_000,
  });

/** The values of a datalabel in sort order; `enabled` false for fields that are not datalabels. */
export const useDatalabel = (datalabel: string | null | undefined) =>
  useQuery({ ...datalabelQueryOptions(datalabel ?? ''), enabled: Boolean(datalabel) });
