// One format per kind of value, everywhere (the original mixed "$750,000.00" and "750000").
const moneyFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const timestampFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const integerFormat = new Intl.NumberFormat();

export function formatMoney(value: string | number): string {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? moneyFormat.format(n) : String(value);
}

export function formatDecimal(value: string | number, scale: number): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  return new Intl.NumberFormat(undefined, { minimumFractionDigits: 0, maximumFractionDigits: scale }).format(n);
}

export function formatInteger(value: number): string {
  return integerFormat.format(value);
}

/** `YYYY-MM-DD` as a calendar date (no time-zone shift). */
export function formatDate(value: string): string {
  const parsed = new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? value : dateFormat.format(parsed);
}

export function formatTimestamp(value: string): string {
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? value : timestampFormat.format(parsed);
}

/** Any scalar value of a record as display text ('' for null and undefined). */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** An enum value as words: `due_on_receipt` → `Due on receipt`. */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const byteUnits = ['KB', 'MB', 'GB', 'TB'] as const;

/** A size in bytes for people: `512 bytes`, `1.5 KB`, `100 MB` (binary multiples, as storage limits are). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${formatInteger(Math.max(0, Math.round(bytes)))} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatDecimal(value < 10 ? Math.round(value * 10) / 10 : Math.round(value), 1)} ${byteUnits[unit] ?? 'TB'}`;
}
