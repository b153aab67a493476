// Datalabels: the tenant's editable value lists (stages, priorities, levels …). Records store a
// value's integer key and show its name; the datalabel manager edits the lists. Their query keys
// live here so the pages that read labels and the manager that writes them name the same keys.
import type { QueryClient } from '@tanstack/react-query';
import type { components } from '@/api/schema';

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
