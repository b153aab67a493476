import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import { permissionsQueryOptions } from '@/lib/permissions';
import { grantKeys } from './keys';

export async function revokeGrant(id: string): Promise<void> {
  unwrap(await api.DELETE('/api/v1/rbac/grants/{id}', { params: { path: { id } } }));
}

export function useRevokeGrant() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: revokeGrant,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: grantKeys.all }),
        queryClient.invalidateQueries({ queryKey: permissionsQueryOptions().queryKey }),
      ]),
  });
}
