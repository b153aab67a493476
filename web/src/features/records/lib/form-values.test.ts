import { projectType } from '@/testing/fixtures';
import type { FieldInfo } from '@/lib/registry';
import { FieldValueError, editableFields, formValuesToBody, fromFormValue, recordToFormValues, toFormValue } from './form-values';

const f = (name: string): FieldInfo => {
  const found = projectType.fields.find((x) => x.name === name);
  if (!found) throw new Error(name);
  return found;
};

describe('toFormValue', () => {
  it('gives inputs empty values for null', () => {
    expect(toFormValue(f('name'), null)).toBe('');
    expect(toFormValue(f('urgent'), null)).toBe(false);
    expect(toFormValue(f('tags'), undefined)).toEqual([]);
    expect(toFormValue(f('project_stage'), null)).toBeNull();
    expect(toFormValue(f('manager_employee_id'), null)).toBeNull();
  });

  it('turns datalabel keys into select values and keeps decimals as text', () => {
    expect(toFormValue(f('project_stage'), 2)).toBe('2');
    expect(toFormValue(f('budget_allocated'), '236000.00')).toBe('236000.00');
    expect(toFormValue(f('headcount'), 7)).toBe(7);
    expect(toFormValue(f('planned_start_date'), '2027-03-01')).toBe('2027-03-01');
    expect(toFormValue(f('metadata'), { a: 1 })).toBe('{\n  "a": 1\n}');
  });
});

describe('fromFormValue', () => {
  it('converts back to API values', () => {
    expect(fromFormValue(f('project_stage'), '3')).toBe(3);
    expect(fromFormValue(f('headcount'), 12)).toBe(12);
    expect(fromFormValue(f('budget_allocated'), '1,250.5')).toBe('1250.5');
    expect(fromFormValue(f('tags'), [' a ', '', 'b'])).toEqual(['a', 'b']);
    expect(fromFormValue(f('metadata'), '{"x": [1]}')).toEqual({ x: [1] });
    expect(fromFormValue(f('urgent'), true)).toBe(true);
    expect(fromFormValue(f('name'), '')).toBeNull();
    expect(fromFormValue(f('name'), '   ')).toBeNull();
  });

  it('round-trips timestamps through the local datetime input', () => {
    const iso = '2026-11-26T09:14:00.000Z';
    const local = toFormValue(f('from_ts'), iso);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromFormValue(f('from_ts'), local)).toBe(iso);
  });

  it('refuses values the API would refuse, with a message for the field', () => {
    expect(() => fromFormValue(f('budget_allocated'), '12.345')).toThrow(FieldValueError);
    expect(() => fromFormValue(f('budget_allocated'), 'abc')).toThrow('Enter a number.');
    expect(() => fromFormValue(f('ratio'), '1.2345')).toThrow('at most 3 digits');
    expect(fromFormValue(f('ratio'), '1.234')).toBe('1.234');
    expect(() => fromFormValue(f('headcount'), 1.5)).toThrow('whole number');
    expect(() => fromFormValue(f('metadata'), '{oops')).toThrow('valid JSON');
    expect(() => fromFormValue(f('planned_start_date'), '01/03/2027')).toThrow('Enter a date.');
  });
});

describe('formValuesToBody', () => {
  const record = {
    id: 'p1',
    name: 'Solar',
    project_stage: 1,
    budget_allocated: '100.00',
    tags: ['a'],
    metadata: {},
    urgent: false,
    version: 4,
    updated_ts: '2026-11-26T09:14:30Z',
  };

  it('never offers read-only fields', () => {
    const names = editableFields(projectType.fields).map((x) => x.name);
    expect(names).not.toContain('id');
    expect(names).not.toContain('version');
    expect(names).not.toContain('updated_ts');
  });

  it('sends only what changed on update', () => {
    const values = recordToFormValues(projectType.fields, record);
    expect(formValuesToBody(projectType.fields, values, record)).toEqual({ body: {}, errors: {} });
    values['name'] = 'Solar array';
    values['project_stage'] = '2';
    values['budget_allocated'] = '100';
    expect(formValuesToBody(projectType.fields, values, record)).toEqual({
      body: { name: 'Solar array', project_stage: 2, budget_allocated: '100' },
      errors: {},
    });
  });

  it('clears a value with null', () => {
    const values = recordToFormValues(projectType.fields, record);
    values['project_stage'] = null;
    expect(formValuesToBody(projectType.fields, values, record).body).toEqual({ project_stage: null });
  });

  it('on create sends filled fields only and requires required ones', () => {
    const values = recordToFormValues(projectType.fields, undefined);
    expect(formValuesToBody(projectType.fields, values).errors).toEqual({ name: 'Required.' });
    values['name'] = 'New';
    values['tags'] = ['x'];
    expect(formValuesToBody(projectType.fields, values)).toEqual({ body: { name: 'New', tags: ['x'] }, errors: {} });
  });

  it('collects conversion errors per field instead of throwing', () => {
    const values = recordToFormValues(projectType.fields, record);
    values['budget_allocated'] = 'lots';
    const { body, errors } = formValuesToBody(projectType.fields, values, record);
    expect(body).toEqual({});
    expect(errors).toEqual({ budget_allocated: 'Enter a number.' });
  });
});
