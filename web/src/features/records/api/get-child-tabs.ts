import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import { recordKeys } from './keys';
import { childTabsPath } from './paths';

export interface ChildTab {
  entity: string;
  label: string;
  count: number | null;
}

/** Reads `{tabs: [{entity, label, icon, count}]}` defensively: its schema is a generic object. */
export function parseChildTabs(body: unknown): ChildTab[] {
  const list: unknown = (body as { tabs?: unknown } | null)?.tabs;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const row = item as Record<string, unknown>;
    const entity = row['entity'];
    if (typeof entity !== 'string') return [];
    const label = typeof row['label'] === 'string' ? row['label'] : entity;
    const count = row['count'];
    return [{ entity, label, count: typeof count === 'number' ? count : null }];
  });
}

export const childTabsQueryOptions = (type: EntityType, id: string) =>
  queryOptions({
    queryKey: recordKeys.childTabs(type, id),
    queryFn: async ({ signal }) =>
      parseChildTabs(unwrap(await api.GET(childTabsPath(type), { params: { path: { id } }, signal }))),
  });

export const useChildTabs = (type: EntityType, id: string) => useQuery(childTabsQueryOptions(type, id));
