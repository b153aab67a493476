import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { clearSession } from '@/lib/session';

/** Revokes the refresh token (and its cookie); the local session ends whatever the answer. */
export async function logout(): Promise<void> {
  try {
    await api.POST('/api/v1/auth/logout', {});
  } finally {
    clearSession();
  }
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => queryClient.clear(),
  });
}
