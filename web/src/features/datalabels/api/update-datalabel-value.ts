import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, invalidateDatalabel } from '@/lib/datalabels';

/** Only the fields that change; the API has no version for datalabel values (last write wins). */
export type UpdateDatalabelValue = components['schemas']['UpdateDatalabelValue'];

export async function updateDatalabelValue(datalabel: DatalabelName, key: number, body: UpdateDatalabelValue) {
  return unwrap(await api.PATCH('/api/v1/setting/{datalabel}/{key}', { params: { path: { datalabel, key } }, body }));
}

export function useUpdateDatalabelValue(datalabel: DatalabelName) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ key, body }: { key: number; body: UpdateDatalabelValue }) => updateDatalabelValue(datalabel, key, body),
    onSuccess: () => invalidateDatalabel(queryClient, datalabel),
  });
}
