import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';
import { type DatalabelName, invalidateDatalabel } from '@/lib/datalabels';

export type CreateDatalabelValue = components['schemas']['CreateDatalabelValue'];

export async function createDatalabelValue(datalabel: DatalabelName, body: CreateDatalabelValue) {
  return unwrap(await api.POST('/api/v1/setting/{datalabel}', { params: { path: { datalabel } }, body }));
}

export function useCreateDatalabelValue(datalabel: DatalabelName) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateDatalabelValue) => createDatalabelValue(datalabel, body),
    onSuccess: () => invalidateDatalabel(queryClient, datalabel),
  });
}
