import { projectType } from '@/testing/fixtures';
import { compareVersions, conflictCurrent, reapplyMine } from './conflict';
import { recordToFormValues } from './form-values';

const original = { id: 'p', name: 'Solar', project_stage: 1, budget_allocated: '100.00', tags: [], version: 3 };
const theirs = { ...original, project_stage: 2, budget_allocated: '150.00', version: 4 };

describe('version conflicts', () => {
  it('finds the current record in the error details', () => {
    expect(conflictCurrent({ current: theirs, current_version: 4 })).toEqual(theirs);
    expect(conflictCurrent({})).toBeNull();
    expect(conflictCurrent({ current: [1] })).toBeNull();
  });

  it('lists what each side changed, fields both changed first', () => {
    const mine = recordToFormValues(projectType.fields, original);
    mine['name'] = 'Solar array';
    mine['budget_allocated'] = '120';
    const conflicts = compareVersions(projectType.fields, original, mine, theirs);
    expect(conflicts.map((c) => [c.field.name, c.changedByMe, c.changedByThem])).toEqual([
      ['budget_allocated', true, true],
      ['name', true, false],
      ['project_stage', false, true],
    ]);
  });

  it('re-applies my changes on top of their version', () => {
    const mine = recordToFormValues(projectType.fields, original);
    mine['name'] = 'Solar array';
    const next = reapplyMine(projectType.fields, original, mine, theirs);
    expect(next['name']).toBe('Solar array');
    expect(next['project_stage']).toBe('2');
    expect(next['budget_allocated']).toBe('150.00');
  });
});
