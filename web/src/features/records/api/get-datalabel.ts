import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, type DatalabelValue, datalabelKeys, sortDatalabelValues } from '@/lib/datalabels';

export type { DatalabelValue };

export const datalabelQueryOptions = (datalabel: string) =>
  queryOptions({
    queryKey: datalabelKeys.active(datalabel),
    queryFn: async ({ signal }) => {
      // The registry names datalabels as plain strings (FieldInfo.datalabel); the route knows the set.
      const path = { datalabel: datalabel as DatalabelName };
      const page = unwrap(await api.GET('/api/v1/setting/{datalabel}', { params: { path }, signal }));
      return sortDatalabelValues(page.data);
    },
    staleTime: 5 * 60_000,
  });

/** The values of a datalabel in sort order; `enabled` false for fields that are not datalabels. */
export const useDatalabel = (datalabel: string | null | undefined) =>
  useQuery({ ...datalabelQueryOptions(datalabel ?? ''), enabled: Boolean(datalabel) });
