import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, invalidateDatalabel } from '@/lib/datalabels';

/** Refused with 409 while records still use the value (`details.in_use_count`, `details.usage`). */
export async function deactivateDatalabelValue(datalabel: DatalabelName, key: number) {
  return unwrap(await api.POST('/api/v1/setting/{datalabel}/{key}/deactivate', { params: { path: { datalabel, key } } }));
}

export function useDeactivateDatalabelValue(datalabel: DatalabelName) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: number) => deactivateDatalabelValue(datalabel, key),
    onSuccess: () => invalidateDatalabel(queryClient, datalabel),
  });
}
