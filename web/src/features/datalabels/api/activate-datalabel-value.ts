import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, invalidateDatalabel } from '@/lib/datalabels';

export async function activateDatalabelValue(datalabel: DatalabelName, key: number) {
  return unwrap(await api.POST('/api/v1/setting/{datalabel}/{key}/activate', { params: { path: { datalabel, key } } }));
}

export function useActivateDatalabelValue(datalabel: DatalabelName) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (key: number) => activateDatalabelValue(datalabel, key),
    onSuccess: () => invalidateDatalabel(queryClient, datalabel),
  });
}
