// Datalabels: the tenant's editable value lists (stages, priorities, levels …). Records store a
// value's integer key and show its name; the datalabel manager edits the lists. Their query keys
// and the one read of a list's active values live here, so every page that shows labels and the
// manager that writes them share the same cache entries.
import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';

export type DatalabelValue = components['schemas']['DatalabelValue'];
export type DatalabelName = components['schemas']['DatalabelName'];

export const datalabelKeys = {
  /** Everything cached about one datalabel. */
  all: (datalabel: string) => ['setting', datalabel] as const,
  /** The active values, in display order (what pickers, badges and boards use). */
  active: (datalabel: string) => ['setting', datalabel, 'active'] as const,
  /** Active and deactivated values (the manager). */
  withInactive: (datalabel: string) => ['setting', datalabel, 'with-inactive'] as const,
};

/** After a value changed: the datalabel's lists, and every record query, since records carry
 * the value's name (`<field>_name`) as the API sent it. */
export async function invalidateDatalabel(queryClient: QueryClient, datalabel: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: datalabelKeys.all(datalabel) }),
    queryClient.invalidateQueries({ queryKey: ['records'] }),
  ]);
}

/** Values in display order: by sort order, deactivated values last. */
export function sortDatalabelValues(values: readonly DatalabelValue[]): DatalabelValue[] {
  return [...values].sort((a, b) => Number(b.active_flag) - Number(a.active_flag) || a.sort_order - b.sort_order || a.key - b.key);
}

export const datalabelQueryOptions = (datalabel: string) =>
  queryOptions({
    queryKey: datalabelKeys.active(datalabel),
    queryFn: async ({ signal }) => {
      // The registry names datalabels as plain strings (FieldInfo.datalabel); the route knows the set.
      const path = { datalabel: datalabel as DatalabelName };
      const page = unwrap(await api.GET('/api/v1/setting/{datalabel}', { params: { path }, signal }));
      return sortDatalabelValues(page.data);
    },
    staleTime: 5 * 60_000,
  });

/** The values of a datalabel in sort order; `enabled` false for fields that are not datalabels. */
export const useDatalabel = (datalabel: string | null | undefined) =>
  useQuery({ ...datalabelQueryOptions(datalabel ?? ''), enabled: Boolean(datalabel) });
