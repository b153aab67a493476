import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { recordKeys } from './keys';
import { recordPath } from './paths';

export async function deleteRecord(type: EntityType, id: string): Promise<void> {
  const result = await api.DELETE(recordPath(type), { params: { path: { id } } });
  if (!result.response.ok) unwrap(result);
}

/** Soft delete (restorable). */
export function useDeleteRecord(type: EntityType) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteRecord(type, id),
    onSuccess: async (_, id) => {
      queryClient.removeQueries({ queryKey: recordKeys.detail(type, id) });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.lists(type) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.boards(type) }),
      ]);
    },
  });
}
