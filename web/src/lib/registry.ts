// The entity registry (GET /api/v1/entity/types): every screen of records is rendered from it.
import { queryOptions } from '@tanstack/react-query';
import type { components } from '@/api/schema';
import { api, unwrap } from './api-client';

export type EntityTypeInfo = components['schemas']['EntityTypeInfo'];
export type FieldInfo = components['schemas']['FieldInfo'];
export type FieldKind = components['schemas']['FieldKind'];
export type EntityType = components['schemas']['EntityType'];
export type NavGroup = components['schemas']['NavGroup'];
export type ChildTypeInfo = components['schemas']['ChildTypeInfo'];
export type Level = components['schemas']['Level'];

/** Sidebar order of the groups (the API documents NavGroup "in sidebar order"). */
export const NAV_GROUPS = [
  'organisation',
  'work',
  'people',
  'operations',
  'content',
  'settings',
] as const satisfies readonly NavGroup[];

export const NAV_GROUP_LABELS: Record<NavGroup, string> = {
  organisation: 'Organisation',
  work: 'Work',
  people: 'People',
  operations: 'Operations',
  content: 'Content',
  settings: 'Settings',
};

export const entityTypesQueryOptions = () =>
  queryOptions({
    queryKey: ['entity-types'] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/entity/types', { signal })).data,
    staleTime: Infinity,
  });

/** Types grouped for the sidebar: groups in NAV_GROUPS order, types by display_order. */
export function groupTypesForNav(types: readonly EntityTypeInfo[]): { group: NavGroup; types: EntityTypeInfo[] }[] {
  return NAV_GROUPS.map((group) => ({
    group,
    types: types.filter((t) => t.nav_group === group).sort((a, b) => a.display_order - b.display_order),
  })).filter((g) => g.types.length > 0);
}

export function findType(types: readonly EntityTypeInfo[] | undefined, name: string | undefined): EntityTypeInfo | undefined {
  return types?.find((t) => t.name === name);
}

export function isEntityType(types: readonly EntityTypeInfo[], name: string): name is EntityType {
  return types.some((t) => t.name === name);
}

/** Types whose records are made by uploading a file (`POST /api/v1/artifact/upload`); their
 * generic create is refused (docs/API-DESIGN.md), so no "New …" button is offered for them. */
const UPLOADED_TYPES: ReadonlySet<string> = new Set(['artifact']);

export function isCreatedByUpload(type: string): boolean {
  return UPLOADED_TYPES.has(type);
}

/** Types that keep version chains (`is_latest_version`): their lists under a record show one row
 * per chain, its latest version. */
export function keepsVersions(type: EntityTypeInfo): boolean {
  return type.fields.some((f) => f.name === 'is_latest_version' && f.filterable);
}
