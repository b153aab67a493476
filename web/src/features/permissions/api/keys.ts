import type { GrantListQuery } from '../lib/grant-filter';

export const grantKeys = {
  all: ['rbac', 'grants'] as const,
  list: (query: GrantListQuery) => ['rbac', 'grants', 'list', query] as const,
};
