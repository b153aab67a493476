// The record routes are one generic contract that the server registers per entity type, so the
// generated schema has the same operation 18 times (`/api/v1/project`, `/api/v1/task`, …).
// We type every call through the project instance of that contract.
import type { paths } from '@/api/schema';
import type { EntityType } from '@/lib/registry';

export type ListPath = '/api/v1/project';
export type RecordPath = '/api/v1/project/{id}';
export type ChildPath = '/api/v1/project/{id}/task';
export type ChildTabsPath = '/api/v1/entity/project/{id}/child-tabs';
export type RestorePath = '/api/v1/project/{id}/restore';
export type ListQuery = NonNullable<paths[ListPath]['get']['parameters']['query']>;

export const listPath = (type: EntityType) => `/api/v1/${type}` as ListPath;
export const recordPath = (type: EntityType) => `/api/v1/${type}/{id}` as RecordPath;
export const childPath = (type: EntityType, child: EntityType) => `/api/v1/${type}/{id}/${child}` as ChildPath;
export const childTabsPath = (type: EntityType) => `/api/v1/entity/${type}/{id}/child-tabs` as ChildTabsPath;
export const restorePath = (type: EntityType) => `/api/v1/${type}/{id}/restore` as RestorePath;

export type RecordPage = paths[ListPath]['get']['responses'][200]['content']['application/json'];
export type EntityRecord = paths[RecordPath]['get']['responses'][200]['content']['application/json'];
