import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';
import { setSession } from '@/lib/session';

export type LoginRequest = components['schemas']['LoginRequest'];

export async function login(input: LoginRequest) {
  return unwrap(await api.POST('/api/v1/auth/login', { body: input }));
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (answer) => {
      // A different user may sign in on the same page: drop everything the last one saw.
      queryClient.clear();
      setSession(answer);
    },
  });
}
