import { projectType } from '@/testing/fixtures';
import { isInlineEditable } from './inline-edit-cell';

const field = (name: string) => {
  const found = projectType.fields.find((f) => f.name === name);
  if (!found) throw new Error(name);
  return found;
};

describe('inline editing', () => {
  it('offers simple writable fields in place', () => {
    for (const name of ['project_stage', 'budget_allocated', 'planned_start_date', 'urgent', 'kind', 'manager_employee_id', 'headcount']) {
      expect(isInlineEditable(projectType, field(name))).toBe(true);
    }
  });

  it('leaves the title, generated, read-only, sensitive and long values to the form', () => {
    for (const name of ['name', 'code', 'updated_ts', 'secret_pay', 'descr', 'metadata', 'tags']) {
      expect(isInlineEditable(projectType, field(name))).toBe(false);
    }
  });
});
