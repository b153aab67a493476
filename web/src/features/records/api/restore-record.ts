import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { isChildListOf, recordKeys } from './keys';
import { type EntityRecord, restorePath } from './paths';

export async function restoreRecord(type: EntityType, id: string): Promise<EntityRecord> {
  return unwrap(await api.POST(restorePath(type), { params: { path: { id } } }));
}

/** Brings a soft-deleted record back (Delete level): it leaves the deleted list and returns to
 * the normal ones. */
export function useRestoreRecord(type: EntityType) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => restoreRecord(type, id),
    onSuccess: async (record, id) => {
      queryClient.setQueryData(recordKeys.detail(type, id), record);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.lists(type) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.boards(type) }),
        queryClient.invalidateQueries({ predicate: isChildListOf(type) }),
      ]);
    },
  });
}
