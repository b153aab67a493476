import { queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';

export type DatalabelValue = components['schemas']['DatalabelValue'];
type DatalabelName = components['schemas']['DatalabelName'];

export const datalabelQueryOptions = (datalabel: string) =>
  queryOptions({
    queryKey: ['setting', datalabel] as const,
    queryFn: async ({ signal }) => {
      // The registry names datalabels as plain strings (FieldInfo.datalabel); the route knows the set.
      const path = { datalabel: datalabel as DatalabelName };
      const page = unwrap(await api.GET('/api/v1/setting/{datalabel}', { params: { path }, signal }));
      return [...page.data].sort((a, b) => a.sort_order - b.sort_order);
    },
    staleTime: 5 * 60_000,
  });

/** The values of a datalabel in sort order; `enabled` false for fields that are not datalabels. */
export const useDatalabel = (datalabel: string | null | undefined) =>
  useQuery({ ...datalabelQueryOptions(datalabel ?? ''), enabled: Boolean(datalabel) });
