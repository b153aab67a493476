// The grant list's filter → the query of GET /api/v1/rbac/grants. Administrators may list every
// grant; anyone else only their own, or those on an instance they may share.
import type { paths } from '@/api/schema';
import type { EntityType } from '@/lib/registry';

export type GrantListQuery = NonNullable<paths['/api/v1/rbac/grants']['get']['parameters']['query']>;
export type GranteeType = 'employee' | 'role';

export interface GrantFilter {
  granteeType: GranteeType | null;
  granteeId: string | null;
  entityType: EntityType | null;
  entityId: string | null;
}

export const EMPTY_FILTER: GrantFilter = { granteeType: null, granteeId: null, entityType: null, entityId: null };

export const PAGE_SIZE = 50;

/** The list query for a filter and page, or `null` when a non-administrator's filter is one the
 * API refuses (they see their own grants unless they pick an instance). */
export function grantListQuery(
  filter: GrantFilter,
  { admin, me, cursor }: { admin: boolean; me: string; cursor: string | null },
): GrantListQuery {
  const query: GrantListQuery = { limit: PAGE_SIZE };
  if (cursor) query.cursor = cursor;
  if (!admin && !(filter.entityType && filter.entityId)) {
    return { ...query, grantee_type: 'employee', grantee_id: me };
  }
  if (filter.granteeType) {
    query.grantee_type = filter.granteeType;
    if (filter.granteeId) query.grantee_id = filter.granteeId;
  }
  if (filter.entityType) {
    query.entity_type = filter.entityType;
    if (filter.entityId) query.entity_id = filter.entityId;
  }
  return query;
}
