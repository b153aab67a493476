import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { recordKeys } from './keys';
import { type EntityRecord, listPath } from './paths';

export async function createRecord(type: EntityType, body: Record<string, unknown>): Promise<EntityRecord> {
  return unwrap(await api.POST(listPath(type), { body }));
}

export function useCreateRecord(type: EntityType) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => createRecord(type, body),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.lists(type) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.boards(type) }),
      ]);
    },
  });
}
