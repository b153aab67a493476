// Converting between API record values and form widget values, driven by the registry's field
// kinds. API: decimals and money are decimal strings, datalabels integer keys, dates YYYY-MM-DD.
// Forms: text inputs hold strings ('' for empty), numbers hold number | '', selects hold strings.
import type { FieldInfo } from '@/lib/registry';

export type FormValue = string | number | boolean | string[] | null;
export type FormValues = Record<string, FormValue>;
export type ApiRecord = Record<string, unknown>;

/** Fields a user may type into: not read-only. */
export function editableFields(fields: readonly FieldInfo[]): FieldInfo[] {
  return fields.filter((f) => !f.read_only);
}

export function toFormValue(field: FieldInfo, value: unknown): FormValue {
  const kind = field.kind.type;
  if (value === null || value === undefined) {
    if (kind === 'boolean') return false;
    if (kind === 'tags') return [];
    if (kind === 'reference' || kind === 'datalabel' || kind === 'enum') return null;
    return '';
  }
  switch (kind) {
    case 'boolean':
      return value === true;
    case 'integer':
      return typeof value === 'number' ? value : Number(value);
    case 'tags':
      return Array.isArray(value) ? value.map(String) : [];
    case 'json':
      return JSON.stringify(value, null, 2);
    case 'datalabel':
    case 'reference':
    case 'enum':
      return typeof value === 'number' ? String(value) : typeof value === 'string' ? value : JSON.stringify(value);
    case 'date':
      return typeof value === 'string' ? value.slice(0, 10) : '';
    case 'timestamp':
      return typeof value === 'string' ? toLocalInput(value) : '';
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** An RFC 3339 instant as the value of an `<input type="datetime-local">` (local time, minutes). */
export function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function recordToFormValues(fields: readonly FieldInfo[], record: ApiRecord | undefined): FormValues {
  const values: FormValues = {};
  for (const field of editableFields(fields)) values[field.name] = toFormValue(field, record?.[field.name]);
  return values;
}

export class FieldValueError extends Error {}

/** The API value of a form value; throws FieldValueError with a message for the field. */
export function fromFormValue(field: FieldInfo, value: FormValue): unknown {
  const kind = field.kind;
  if (value === null || value === '') return null;
  switch (kind.type) {
    case 'boolean':
      return value === true;
    case 'integer': {
      const n = typeof value === 'number' ? value : Number(value);
      if (!Number.isInteger(n)) throw new FieldValueError('Enter a whole number.');
      return n;
    }
    case 'decimal':
    case 'money': {
      const text = String(value).trim().replace(/,/g, '');
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw new FieldValueError('Enter a number.');
      const scale = kind.type === 'money' ? 2 : kind.scale;
      const [, fraction = ''] = text.split('.');
      if (fraction.length > scale) throw new FieldValueError(`Use at most ${scale} digits after the point.`);
      return text;
    }
    case 'datalabel': {
      const n = Number(value);
      if (!Number.isInteger(n)) throw new FieldValueError('Choose a value from the list.');
      return n;
    }
    case 'tags':
      return Array.isArray(value) ? value.map((t) => t.trim()).filter((t) => t !== '') : [];
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(String(value))) throw new FieldValueError('Enter a date.');
      return String(value);
    case 'timestamp': {
      const parsed = new Date(String(value));
      if (Number.isNaN(parsed.getTime())) throw new FieldValueError('Enter a date and time.');
      return parsed.toISOString();
    }
    case 'json':
      try {
        return JSON.parse(String(value)) as unknown;
      } catch {
        throw new FieldValueError('Enter valid JSON.');
      }
    default:
      return typeof value === 'string' ? value.trim() === '' ? null : value : value;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export interface Converted {
  body: ApiRecord;
  errors: Record<string, string>;
}

/** The write body for a form: on update only the fields that changed, on create every field
 * with a value. Field-level conversion errors are collected, not thrown. */
export function formValuesToBody(
  fields: readonly FieldInfo[],
  values: FormValues,
  original?: ApiRecord,
): Converted {
  const body: ApiRecord = {};
  const errors: Record<string, string> = {};
  for (const field of editableFields(fields)) {
    if (!(field.name in values)) continue;
    let next: unknown;
    try {
      next = fromFormValue(field, values[field.name] ?? null);
    } catch (error) {
      errors[field.name] = error instanceof Error ? error.message : 'Invalid value.';
      continue;
    }
    if (original) {
      if (!sameValue(normalise(field, original[field.name]), next)) body[field.name] = next;
    } else if (next !== null && !(Array.isArray(next) && next.length === 0) && !(field.kind.type === 'boolean' && next === false && !field.required)) {
      body[field.name] = next;
    } else if (field.required && next === null) {
      errors[field.name] = 'Required.';
    }
  }
  return { body, errors };
}

/** The original API value in the shape fromFormValue produces, so unchanged fields compare equal. */
function normalise(field: FieldInfo, value: unknown): unknown {
  try {
    return fromFormValue(field, toFormValue(field, value));
  } catch {
    return value;
  }
}
