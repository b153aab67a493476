import type { DatalabelValue } from '@/lib/datalabels';
import { DATALABEL_NAMES, datalabelTitle, isDatalabelName } from './datalabel-names';
import { draftOf, labelChanges, usageSummary } from './label-changes';

const todo: DatalabelValue = {
  key: 1,
  name: 'To Do',
  sort_order: 2,
  color_code: '#3B82F6',
  terminal_flag: false,
  active_flag: true,
  created_ts: '2026-01-01T00:00:00Z',
  updated_ts: '2026-01-01T00:00:00Z',
};

describe('datalabel edits', () => {
  it('sends nothing when nothing changed', () => {
    expect(labelChanges(todo, draftOf(todo))).toBeNull();
    expect(labelChanges(todo, { name: ' To Do ', color_code: '#3b82f6' })).toBeNull();
  });

  it('sends only the changed fields, trimmed', () => {
    expect(labelChanges(todo, { name: ' Ready ', color_code: '#3B82F6' })).toEqual({ name: 'Ready' });
    expect(labelChanges(todo, { name: 'To Do', color_code: '#112233' })).toEqual({ color_code: '#112233' });
    expect(labelChanges(todo, { name: '', color_code: 'red' })).toEqual({ name: '', color_code: 'red' });
  });

  it('says where a refused label is still used', () => {
    expect(
      usageSummary({
        in_use_count: 13,
        usage: [
          { table: 'd_task', column: 'task_stage', count: 12 },
          { table: 'd_task_data', column: 'stage_from', count: 1 },
        ],
      }),
    ).toBe('12 in task.task_stage, 1 in task_data.stage_from');
    expect(usageSummary({})).toBeNull();
    expect(usageSummary({ usage: [{ nonsense: true }] })).toBeNull();
  });

  it('knows the datalabel names of the API', () => {
    expect(DATALABEL_NAMES).toContain('task_stage');
    expect(isDatalabelName('task_stage')).toBe(true);
    expect(isDatalabelName('project')).toBe(false);
    expect(isDatalabelName(undefined)).toBe(false);
    expect(datalabelTitle('opportunity_funnel_stage')).toBe('Opportunity funnel stage');
  });
});
