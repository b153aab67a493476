// Which fields a records table shows: a sensible default from the registry, or the user's own
// choice, remembered per user and type in localStorage.
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';

const HIDDEN_BY_DEFAULT = new Set([
  'id',
  'code',
  'slug',
  'metadata',
  'descr',
  'version',
  'active_flag',
  'from_ts',
  'to_ts',
  'created_ts',
  'created_by',
  'updated_by',
]);
const MAX_DEFAULT_COLUMNS = 7;

/** Fields that can be a column at all: never sensitive ones (lists do not carry them) or JSON. */
export function columnCandidates(type: EntityTypeInfo): FieldInfo[] {
  return type.fields.filter((f) => !f.sensitive && f.kind.type !== 'json' && f.name !== 'id');
}

export function defaultColumns(type: EntityTypeInfo): string[] {
  const candidates = columnCandidates(type);
  const title = type.title_field;
  const rest = candidates
    .filter((f) => f.name !== title && !HIDDEN_BY_DEFAULT.has(f.name) && f.kind.type !== 'long_text')
    .map((f) => f.name);
  const chosen = rest.filter((n) => n !== 'updated_ts').slice(0, MAX_DEFAULT_COLUMNS - 2);
  if (candidates.some((f) => f.name === 'updated_ts')) chosen.push('updated_ts');
  return [title, ...chosen];
}

export function columnsStorageKey(employeeId: string, type: string): string {
  return `pmo.columns.${employeeId}.${type}`;
}

/** The saved choice, cleaned against the registry; the default when nothing usable is saved. */
export function loadColumns(storage: Pick<Storage, 'getItem'>, employeeId: string, type: EntityTypeInfo): string[] {
  try {
    const raw = storage.getItem(columnsStorageKey(employeeId, type.name));
    if (raw) {
      const parsed: unknown = JSON.parse(raw);
      const known = new Set(columnCandidates(type).map((f) => f.name));
      if (Array.isArray(parsed)) {
        const names = parsed.filter((n): n is string => typeof n === 'string' && known.has(n));
        if (names.length > 0) return names;
      }
    }
  } catch {
    /* unreadable: fall back to the default */
  }
  return defaultColumns(type);
}

export function saveColumns(storage: Pick<Storage, 'setItem'>, employeeId: string, type: string, columns: string[]): void {
  try {
    storage.setItem(columnsStorageKey(employeeId, type), JSON.stringify(columns));
  } catch {
    /* storage full or blocked: the choice lasts for this page only */
  }
}

/** Columns in registry order, so toggling one on does not reshuffle the table. */
export function orderColumns(type: EntityTypeInfo, names: readonly string[]): string[] {
  const wanted = new Set(names);
  const ordered = type.fields.map((f) => f.name).filter((n) => wanted.has(n));
  const title = type.title_field;
  return wanted.has(title) ? [title, ...ordered.filter((n) => n !== title)] : ordered;
}
