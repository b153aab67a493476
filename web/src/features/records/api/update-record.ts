import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { isChildListOf, recordKeys } from './keys';
import { type EntityRecord, recordPath } from './paths';

export interface UpdateRecordInput {
  id: string;
  /** The version the edit was based on; a stale one is answered 409 version_conflict. */
  version: number;
  changes: Record<string, unknown>;
}

export async function updateRecord(type: EntityType, input: UpdateRecordInput): Promise<EntityRecord> {
  return unwrap(
    await api.PATCH(recordPath(type), {
      params: { path: { id: input.id } },
      body: { ...input.changes, version: input.version },
    }),
  );
}

export function useUpdateRecord(type: EntityType) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateRecordInput) => updateRecord(type, input),
    onSuccess: async (record, input) => {
      queryClient.setQueryData(recordKeys.detail(type, input.id), record);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.lists(type) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.boards(type) }),
        queryClient.invalidateQueries({ predicate: isChildListOf(type) }),
      ]);
    },
  });
}
