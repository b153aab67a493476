import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, datalabelKeys, sortDatalabelValues } from '@/lib/datalabels';

/** Every value of a datalabel, deactivated ones included (after the active ones). */
export const datalabelValuesQueryOptions = (datalabel: DatalabelName) =>
  queryOptions({
    queryKey: datalabelKeys.withInactive(datalabel),
    queryFn: async ({ signal }) => {
      const page = unwrap(
        await api.GET('/api/v1/setting/{datalabel}', {
          params: { path: { datalabel }, query: { include_inactive: true } },
          signal,
        }),
      );
      return sortDatalabelValues(page.data);
    },
  });

export const useDatalabelValues = (datalabel: DatalabelName) => useQuery(datalabelValuesQueryOptions(datalabel));
