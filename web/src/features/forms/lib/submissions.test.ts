import type { DatalabelValue } from '@/lib/datalabels';
import {
  type AnswerRow,
  answerPairs,
  dataFromRows,
  decisionErrorText,
  errorFacts,
  isOpen,
  rowsFromSchema,
  submitErrorText,
} from './submissions';
import { ApiError } from '@/lib/api-client';

const row = (id: string, name: string, value: string): AnswerRow => ({ id, name, value });

const status = (key: number, name: string, color_code: string, terminal_flag: boolean): DatalabelValue => ({
  key,
  name,
  color_code,
  terminal_flag,
  active_flag: true,
  sort_order: key,
  created_ts: '2026-11-26T10:00:00Z',
  updated_ts: '2026-11-26T10:00:00Z',
});

const statuses = [
  status(0, 'pending', '#F59E0B', false),
  status(1, 'approved', '#10B981', true),
  status(2, 'rejected', '#EF4444', true),
  status(3, 'under review', '', false),
];

describe('answer rows', () => {
  it('prefills one row per named field of every step, keeping labels, skipping repeats and nameless fields', () => {
    const rows = rowsFromSchema({
      steps: [
        { fields: [{ name: 'site_name', label: 'Site' }, { name: 'crew_size' }, { label: 'no name' }, 'junk'] },
        { fields: [{ name: 'site_name', label: 'Again' }, { name: ' hazards ', label: '  ' }] },
        { title: 'no fields' },
      ],
    });
    expect(rows.map((r) => [r.name, r.label, r.value])).toEqual([
      ['site_name', 'Site', ''],
      ['crew_size', undefined, ''],
      ['hazards', undefined, ''],
    ]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(3);
  });

  it('offers one empty row when the definition is empty or not the expected shape', () => {
    for (const schema of [null, undefined, {}, { steps: [] }, { steps: 'x' }, [1, 2], 'text']) {
      const rows = rowsFromSchema(schema);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.name).toBe('');
    }
  });

  it('builds the data object from named rows, skipping empty rows and trimming names only', () => {
    expect(dataFromRows([row('a', ' helmets ', 'yes '), row('b', '', ''), row('c', 'crew', '')])).toEqual({
      ok: true,
      data: { helmets: 'yes ', crew: '' },
    });
  });

  it('refuses an answer without a name and a name used twice, per row', () => {
    const built = dataFromRows([row('a', 'x', '1'), row('b', '', 'orphan'), row('c', ' x', '2')]);
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(Object.keys(built.errors).sort()).toEqual(['b', 'c']);
    expect(built.errors['c']).toContain('"x"');
  });

  it('refuses to send nothing', () => {
    expect(dataFromRows([row('a', '', '')])).toEqual({ ok: false, errors: {}, message: 'Add at least one answer.' });
  });

  it('lists answers compactly, non-text values as JSON', () => {
    expect(answerPairs({ a: 'yes', n: 3, ok: true, list: [1] })).toEqual([
      ['a', 'yes'],
      ['n', '3'],
      ['ok', 'true'],
      ['list', '[1]'],
    ]);
    expect(answerPairs(null)).toEqual([]);
    expect(answerPairs([1])).toEqual([]);
  });
});

describe('approval statuses', () => {
  it('leaves non-terminal statuses open to a decision', () => {
    expect(isOpen(statuses, 0)).toBe(true);
    expect(isOpen(statuses, 3)).toBe(true);
    expect(isOpen(statuses, 1)).toBe(false);
    expect(isOpen(statuses, 2)).toBe(false);
    expect(isOpen(undefined, 0)).toBe(true);
    expect(isOpen(undefined, 1)).toBe(false);
  });
});

describe('error sentences', () => {
  it('says "already decided" for a 409 and lists 422 fields', () => {
    expect(decisionErrorText({ status: 409, message: 'conflict', fieldErrors: {} })).toMatch(/^Already decided/);
    expect(decisionErrorText({ status: 422, message: 'Invalid', fieldErrors: { notes: 'at most 2,000 characters' } })).toBe(
      'Not decided: notes: at most 2,000 characters',
    );
    expect(decisionErrorText({ status: 403, message: 'forbidden', fieldErrors: {} })).toMatch(/may not approve/);
  });

  it('explains refused submissions', () => {
    expect(submitErrorText({ status: 422, message: 'The answers are invalid', fieldErrors: {} })).toBe('Not sent: The answers are invalid');
    expect(submitErrorText({ status: 422, message: 'x', fieldErrors: { data: 'must be an object' } })).toBe('Not sent: data: must be an object');
    expect(submitErrorText({ status: 413, message: 'x', fieldErrors: {} })).toMatch(/too large/);
    expect(submitErrorText({ status: 500, message: 'Something broke', fieldErrors: {} })).toBe('Not sent: Something broke');
  });

  it('reads API errors and anything else thrown', () => {
    const answer = new ApiError(409, { code: 'conflict', message: 'Already decided', details: { fields: { decision: 'taken' } } });
    expect(errorFacts(answer)).toEqual({ status: 409, message: 'Already decided', fieldErrors: { decision: 'taken' } });
    expect(errorFacts(new TypeError('Failed to fetch'))).toEqual({ status: 0, message: 'Failed to fetch', fieldErrors: {} });
  });
});
