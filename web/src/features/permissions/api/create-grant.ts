import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';
import { permissionsQueryOptions } from '@/lib/permissions';
import { grantKeys } from './keys';

export type CreateGrantRequest = components['schemas']['CreateGrantRequest'];

/** Granting again to the same grantee and target replaces the levels and expiry (200). */
export async function createGrant(body: CreateGrantRequest) {
  return unwrap(await api.POST('/api/v1/rbac/grants', { body }));
}

export function useCreateGrant() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createGrant,
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: grantKeys.all }),
        // A grant to oneself (or one's role) changes what one may do.
        queryClient.invalidateQueries({ queryKey: permissionsQueryOptions().queryKey }),
      ]),
  });
}
