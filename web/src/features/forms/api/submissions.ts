import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { Submission } from '../lib/submissions';
import { formKeys } from './keys';

const PAGE_SIZE = 20;

/** `GET /api/v1/form/{id}/submission`: newest first, a page at a time (all of them with Edit on
 * the form, otherwise the caller's own). */
export const submissionsQueryOptions = (formId: string) =>
  infiniteQueryOptions({
    queryKey: formKeys.submissions(formId),
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET('/api/v1/form/{id}/submission', {
          params: { path: { id: formId }, query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor ?? null,
  });

export const useSubmissions = (formId: string) => useInfiniteQuery(submissionsQueryOptions(formId));


/** `POST /api/v1/form/{id}/submission`: the answers, pending approval. */
export function useSubmitForm(formId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (data: Record<string, string>): Promise<Submission> =>
      unwrap(await api.POST('/api/v1/form/{id}/submission', { params: { path: { id: formId } }, body: { data } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: formKeys.submissions(formId) }),
  });
}

export interface DecisionInput {
  submissionId: string;
  decision: 'approved' | 'rejected';
  notes: string;
}

/** `POST …/submission/{sid}/decision`. The list is reloaded whatever the answer: a 409 means
 * someone decided first, and the row should show their decision. */
export function useDecideSubmission(formId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ submissionId, decision, notes }: DecisionInput): Promise<Submission> =>
      unwrap(
        await api.POST('/api/v1/form/{id}/submission/{submission_id}/decision', {
          params: { path: { id: formId, submission_id: submissionId } },
          body: notes.trim() ? { decision, notes: notes.trim() } : { decision },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: formKeys.submissions(formId) }),
  });
}
