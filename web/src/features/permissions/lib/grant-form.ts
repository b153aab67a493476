// The grant form's values → the body of POST /api/v1/rbac/grants.
import { ApiError } from '@/lib/api-client';
import type { EntityType, Level } from '@/lib/registry';
import type { CreateGrantRequest } from '../api/create-grant';
import type { GranteeType } from './grant-filter';

/** The API's level numbers (0 View … 4 Create), in display order. */
export const LEVELS: readonly { level: Level; number: number; label: string }[] = [
  { level: 'view', number: 0, label: 'View' },
  { level: 'edit', number: 1, label: 'Edit' },
  { level: 'share', number: 2, label: 'Share' },
  { level: 'delete', number: 3, label: 'Delete' },
  { level: 'create', number: 4, label: 'Create' },
];

export interface GrantFormValues {
  granteeType: GranteeType;
  granteeId: string | null;
  entityType: EntityType | null;
  scope: 'all' | 'instance';
  entityId: string | null;
  levels: Level[];
  /** `YYYY-MM-DD`, the last day the grant holds; '' for no expiry. */
  expiresOn: string;
  cascade: boolean;
}

export const EMPTY_GRANT_FORM: GrantFormValues = {
  granteeType: 'employee',
  granteeId: null,
  entityType: null,
  scope: 'all',
  entityId: null,
  levels: ['view'],
  expiresOn: '',
  cascade: false,
};

/** The end of a calendar day in the browser's time zone, as an RFC 3339 timestamp. */
export function endOfDay(date: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const at = new Date(`${date}T23:59:59`);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

/** The request body, or per-field messages for what is missing (keys as the API names them). */
export function grantRequestBody(values: GrantFormValues): { body: CreateGrantRequest | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!values.granteeId) errors['grantee_id'] = `Choose ${values.granteeType === 'role' ? 'a role' : 'an employee'}.`;
  if (!values.entityType) errors['entity_type'] = 'Choose what the grant is on.';
  if (values.scope === 'instance' && !values.entityId) errors['entity_id'] = 'Choose the record, or grant on all of them.';
  const levels = LEVELS.filter((l) => values.levels.includes(l.level)).map((l) => l.number);
  if (levels.length === 0) errors['levels'] = 'Choose at least one level.';
  let expires: string | null = null;
  if (values.expiresOn !== '') {
    expires = endOfDay(values.expiresOn);
    if (!expires) errors['expires_ts'] = 'Use a date like 2027-12-31.';
  }
  if (Object.keys(errors).length > 0 || !values.granteeId || !values.entityType) return { body: null, errors };

  const body: CreateGrantRequest = {
    grantee_type: values.granteeType,
    grantee_id: values.granteeId,
    entity_type: values.entityType,
    levels,
  };
  if (values.scope === 'instance' && values.entityId) {
    body.entity_id = values.entityId;
    body.cascade = values.cascade;
  }
  if (expires) body.expires_ts = expires;
  return { body, errors };
}

/** Readable text for a refused grant: the API's message, with what a 403 means here. */
export function grantRefusal(error: unknown): string {
  if (!(error instanceof ApiError)) return 'The request failed. Check your connection and try again.';
  if (error.status === 403) return `Not allowed: ${error.message}. You can grant only levels you hold, on records you may share.`;
  if (error.status === 404) return `Not found: ${error.message}.`;
  return error.message;
}
