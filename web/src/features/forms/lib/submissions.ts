// Form submissions as the form's page shows them: the answer rows of the editor become the
// `data` object, rows are prefilled from the form definition, and approval statuses (the
// `form_approval_status` datalabel) give each submission its badge colour and whether it may
// still be decided. Pure logic (no requests), tested with Vitest.
import type { components } from '@/api/schema';
import { ApiError, isObject } from '@/lib/api-client';
import type { DatalabelValue } from '@/lib/datalabels';

export type Submission = components['schemas']['Submission'];
export type SubmissionPage = components['schemas']['SubmissionPage'];

/** One row of the answer editor: a field name and the answer typed for it. */
export interface AnswerRow {
  id: string;
  name: string;
  value: string;
  /** The field's label in the form definition, when the row came from it. */
  label?: string;
}

let rowCounter = 0;

export function newRow(name = '', label?: string): AnswerRow {
  rowCounter += 1;
  return label === undefined ? { id: `row-${String(rowCounter)}`, name, value: '' } : { id: `row-${String(rowCounter)}`, name, value: '', label };
}

/** Rows for every `steps[].fields[]` of the form definition that has a `name` (its `label` kept
 * as a hint); one empty row when the definition has none. */
export function rowsFromSchema(schema: unknown): AnswerRow[] {
  const rows: AnswerRow[] = [];
  const seen = new Set<string>();
  const steps = isObject(schema) && Array.isArray(schema['steps']) ? schema['steps'] : [];
  for (const step of steps) {
    const fields = isObject(step) && Array.isArray(step['fields']) ? step['fields'] : [];
    for (const field of fields) {
      if (!isObject(field)) continue;
      const name = typeof field['name'] === 'string' ? field['name'].trim() : '';
      if (!name || seen.has(name)) continue;
      seen.add(name);
      const label = typeof field['label'] === 'string' && field['label'].trim() ? field['label'].trim() : undefined;
      rows.push(newRow(name, label));
    }
  }
  return rows.length > 0 ? rows : [newRow()];
}

export type BuiltAnswers =
  | { ok: true; data: Record<string, string> }
  | { ok: false; errors: Record<string, string>; message: string };

/** The `data` object of the rows: field name → answer text. Rows left fully empty are skipped;
 * an answer without a field name, or a name used twice, is refused (per row id). */
export function dataFromRows(rows: readonly AnswerRow[]): BuiltAnswers {
  const data: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (!name) {
      if (row.value.trim()) errors[row.id] = 'Name the field this answer belongs to.';
      continue;
    }
    if (Object.hasOwn(data, name)) {
      errors[row.id] = `"${name}" is already answered above.`;
      continue;
    }
    data[name] = row.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, message: 'Some rows need a fix before sending.' };
  if (Object.keys(data).length === 0) return { ok: false, errors: {}, message: 'Add at least one answer.' };
  return { ok: true, data };
}

/** The answers as `name: value` pairs, for a compact list (non-text values as JSON). */
export function answerPairs(data: unknown): [string, string][] {
  if (!isObject(data)) return [];
  return Object.entries(data).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]);
}

export const PENDING_KEY = 0;
/** Whether a submission may still be decided: its approval status is not terminal. Before the
 * statuses are known (or for a status not among them), only pending counts as open. */
export function isOpen(statuses: readonly DatalabelValue[] | undefined, key: number): boolean {
  const status = statuses?.find((s) => s.key === key);
  return status ? !status.terminal_flag : key === PENDING_KEY;
}

/** What went wrong, as a sentence, from an API error (status, message, per-field messages). */
export interface ErrorFacts {
  status: number;
  message: string;
  fieldErrors: Record<string, string>;
}

function withFields(prefix: string, fields: Record<string, string>, fallback: string): string {
  const parts = Object.entries(fields).map(([name, message]) => `${name}: ${message}`);
  return parts.length > 0 ? `${prefix} ${parts.join('; ')}` : `${prefix} ${fallback}`;
}

export function submitErrorText(error: ErrorFacts): string {
  switch (error.status) {
    case 404:
      return 'Not sent: this form no longer exists or you may not see it.';
    case 413:
      return 'Not sent: the answers are too large.';
    case 422:
      return withFields('Not sent:', error.fieldErrors, error.message);
    case 0:
      return 'Not sent: the server could not be reached. Your answers are still here.';
    default:
      return `Not sent: ${error.message}`;
  }
}

export function decisionErrorText(error: ErrorFacts): string {
  switch (error.status) {
    case 409:
      return 'Already decided: someone else decided this submission first. The row shows their decision.';
    case 403:
      return 'Not decided: you may not approve submissions of this form.';
    case 404:
      return 'Not decided: this submission no longer exists or you may not see it.';
    case 422:
      return withFields('Not decided:', error.fieldErrors, error.message);
    default:
      return `Not decided: ${error.message}`;
  }
}

/** Any thrown value as the facts above (errors that are not API answers have status 0). */
export function errorFacts(error: unknown): ErrorFacts {
  if (error instanceof ApiError) return { status: error.status, message: error.message, fieldErrors: error.fieldErrors };
  return { status: 0, message: error instanceof Error ? error.message : String(error), fieldErrors: {} };
}
