// A save refused with 409 version_conflict carries the record as it is now (details.current).
// The user sees what the other person changed next to their own edits, and can re-apply theirs
// on top of the new version.
import type { FieldInfo } from '@/lib/registry';
import { type ApiRecord, type FormValues, editableFields, formValuesToBody, recordToFormValues } from './form-values';

export interface FieldConflict {
  field: FieldInfo;
  /** Changed by the other person since the version this edit started from. */
  changedByThem: boolean;
  /** Changed in this form. */
  changedByMe: boolean;
}

/** The current record from a version_conflict error's details, if it has one. */
export function conflictCurrent(details: Record<string, unknown>): ApiRecord | null {
  const current = details['current'];
  return typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as ApiRecord) : null;
}

/** Fields that either side changed, the ones both changed first. */
export function compareVersions(
  fields: readonly FieldInfo[],
  original: ApiRecord,
  mine: FormValues,
  theirs: ApiRecord,
): FieldConflict[] {
  const myChanges = formValuesToBody(fields, mine, original).body;
  const theirChanges = formValuesToBody(fields, recordToFormValues(fields, theirs), original).body;
  const out: FieldConflict[] = [];
  for (const field of editableFields(fields)) {
    const changedByMe = field.name in myChanges;
    const changedByThem = field.name in theirChanges;
    if (changedByMe || changedByThem) out.push({ field, changedByMe, changedByThem });
  }
  return out.sort((a, b) => Number(b.changedByMe && b.changedByThem) - Number(a.changedByMe && a.changedByThem));
}

/** Form values that start from their version and carry over every field I changed. */
export function reapplyMine(
  fields: readonly FieldInfo[],
  original: ApiRecord,
  mine: FormValues,
  theirs: ApiRecord,
): FormValues {
  const myChanges = formValuesToBody(fields, mine, original).body;
  const next = recordToFormValues(fields, theirs);
  for (const name of Object.keys(myChanges)) {
    if (name in mine) next[name] = mine[name] ?? null;
  }
  return next;
}
