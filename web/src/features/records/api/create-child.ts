import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { recordKeys } from './keys';
import { type EntityRecord, childPath } from './paths';

export async function createChild(
  parent: EntityType,
  parentId: string,
  child: EntityType,
  body: Record<string, unknown>,
): Promise<EntityRecord> {
  return unwrap(await api.POST(childPath(parent, child), { params: { path: { id: parentId } }, body }));
}

/** Creates a record under a parent and links it, in one request. */
export function useCreateChild(parent: EntityType, parentId: string, child: EntityType) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => createChild(parent, parentId, child, body),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: recordKeys.childLists(parent, parentId, child) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.childTabs(parent, parentId), exact: true }),
        queryClient.invalidateQueries({ queryKey: recordKeys.lists(child) }),
        queryClient.invalidateQueries({ queryKey: recordKeys.boards(child) }),
      ]);
    },
  });
}
