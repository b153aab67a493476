import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, type DatalabelValue, datalabelKeys, invalidateDatalabel } from '@/lib/datalabels';
import { applyOrder } from '../lib/reorder';

export async function reorderDatalabelValues(datalabel: DatalabelName, keys: number[]) {
  return unwrap(await api.POST('/api/v1/setting/{datalabel}/reorder', { params: { path: { datalabel } }, body: { keys } }));
}

/** Optimistic: the rows move at once and move back when the API refuses. */
export function useReorderDatalabelValues(datalabel: DatalabelName) {
  const queryClient = useQueryClient();
  const key = datalabelKeys.withInactive(datalabel);
  return useMutation({
    mutationFn: (keys: number[]) => reorderDatalabelValues(datalabel, keys),
    onMutate: async (keys) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<DatalabelValue[]>(key);
      if (before) queryClient.setQueryData(key, applyOrder(before, keys));
      return { before };
    },
    onError: (_error, _keys, context) => {
      if (context?.before) queryClient.setQueryData(key, context.before);
    },
    onSettled: () => invalidateDatalabel(queryClient, datalabel),
  });
}
