// What the UI may offer. The server decides; these only hide what it would refuse.
import { queryOptions } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from './api-client';
import type { Level } from './registry';

export type PermissionSummary = components['schemas']['PermissionSummary'];

export const permissionsQueryOptions = () =>
  queryOptions({
    queryKey: ['auth', 'permissions'] as const,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/v1/auth/permissions', { signal })),
    staleTime: 60_000,
  });

/** Levels on every instance of a type: tenant admins hold everything; any level implies view. */
export function typeLevels(summary: PermissionSummary | undefined, type: string): Set<Level> {
  if (!summary) return new Set();
  if (summary.tenant_admin) return new Set<Level>(['view', 'edit', 'share', 'delete', 'create']);
  const levels = new Set<Level>(summary.types.find((t) => t.entity_type === type)?.levels ?? []);
  if (levels.size > 0) levels.add('view');
  return levels;
}

/** May the caller create records of this type? Unknown (still loading or failed) means no. */
export function canCreate(summary: PermissionSummary | undefined, type: string): boolean {
  return typeLevels(summary, type).has('create');
}

/** Levels on one record: the record's own `_permissions` when the API sent them, else the
 * levels the caller holds on the whole type, plus instance grants on this record. */
export function recordLevels(
  record: Record<string, unknown> | undefined,
  summary: PermissionSummary | undefined,
  type: string,
): Set<Level> {
  const own = record?.['_permissions'];
  if (Array.isArray(own)) return new Set<Level>(own.filter((l): l is Level => typeof l === 'string'));
  const levels = typeLevels(summary, type);
  const id = record?.['id'];
  for (const grant of summary?.instance_grants ?? []) {
    if (grant.entity_type === type && grant.entity_id === id) {
      for (const level of grant.levels) levels.add(level);
    }
  }
  if (levels.size > 0) levels.add('view');
  return levels;
}

/** Tenant administrators manage datalabels and see every grant. */
export function isTenantAdmin(summary: PermissionSummary | undefined): boolean {
  return summary?.tenant_admin === true;
}

/** May the caller share anything, i.e. use the permission admin? Administrators, and whoever
 * holds Share on a whole type or on at least one instance. */
export function canShareSomething(summary: PermissionSummary | undefined): boolean {
  if (!summary) return false;
  if (summary.tenant_admin) return true;
  return (
    summary.types.some((t) => t.levels.includes('share')) ||
    summary.instance_grants.some((g) => g.levels.includes('share'))
  );
}
