// Inline edits of a datalabel value: send only what changed.
import type { DatalabelValue } from '@/lib/datalabels';
import type { UpdateDatalabelValue } from '../api/update-datalabel-value';

export interface LabelDraft {
  name: string;
  color_code: string;
}

export function draftOf(value: DatalabelValue): LabelDraft {
  return { name: value.name, color_code: value.color_code };
}

/** The PATCH body for a draft, or `null` when nothing changed. Colours compare case-insensitively
 * (the API stores `#RRGGBB`); the name is trimmed. */
export function labelChanges(value: DatalabelValue, draft: LabelDraft): UpdateDatalabelValue | null {
  const body: UpdateDatalabelValue = {};
  const name = draft.name.trim();
  if (name !== value.name) body.name = name;
  const color = draft.color_code.trim();
  if (color.toLowerCase() !== value.color_code.toLowerCase()) body.color_code = color;
  return Object.keys(body).length > 0 ? body : null;
}

/** The human message of a refused deactivation: the API's message, plus where it is used. */
export function usageSummary(details: Record<string, unknown>): string | null {
  const usage = details['usage'];
  if (!Array.isArray(usage)) return null;
  const parts = usage.flatMap((u: unknown) => {
    if (typeof u !== 'object' || u === null) return [];
    const { table, column, count } = u as Record<string, unknown>;
    if (typeof table !== 'string' || typeof count !== 'number') return [];
    return [`${String(count)} in ${table.replace(/^d_/, '')}${typeof column === 'string' ? `.${column}` : ''}`];
  });
  return parts.length > 0 ? parts.join(', ') : null;
}
