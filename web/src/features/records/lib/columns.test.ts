import { projectType } from '@/testing/fixtures';
import { columnCandidates, columnsStorageKey, defaultColumns, loadColumns, orderColumns, saveColumns } from './columns';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

describe('columns', () => {
  it('never offers sensitive or JSON fields', () => {
    const names = columnCandidates(projectType).map((f) => f.name);
    expect(names).not.toContain('secret_pay');
    expect(names).not.toContain('metadata');
    expect(names).not.toContain('id');
  });

  it('defaults to the title first and the update time last', () => {
    const columns = defaultColumns(projectType);
    expect(columns[0]).toBe('name');
    expect(columns.at(-1)).toBe('updated_ts');
    expect(columns).toContain('project_stage');
    expect(columns).not.toContain('descr');
    expect(columns.length).toBeLessThanOrEqual(7);
  });

  it('remembers the choice per employee and type', () => {
    const storage = memoryStorage();
    saveColumns(storage, 'emp-1', 'project', ['name', 'tags']);
    expect(storage.data.has(columnsStorageKey('emp-1', 'project'))).toBe(true);
    expect(loadColumns(storage, 'emp-1', projectType)).toEqual(['name', 'tags']);
    expect(loadColumns(storage, 'emp-2', projectType)).toEqual(defaultColumns(projectType));
  });

  it('drops saved names the registry no longer has, and ignores junk', () => {
    const key = columnsStorageKey('e', 'project');
    expect(loadColumns(memoryStorage({ [key]: '["name","gone","secret_pay"]' }), 'e', projectType)).toEqual(['name']);
    expect(loadColumns(memoryStorage({ [key]: '{not json' }), 'e', projectType)).toEqual(defaultColumns(projectType));
    expect(loadColumns(memoryStorage({ [key]: '["gone"]' }), 'e', projectType)).toEqual(defaultColumns(projectType));
  });

  it('keeps registry order with the title first', () => {
    expect(orderColumns(projectType, ['tags', 'project_stage', 'name'])).toEqual(['name', 'project_stage', 'tags']);
  });
});
