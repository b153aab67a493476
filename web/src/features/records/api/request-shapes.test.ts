import { parseChildTabs } from './get-child-tabs';
import { toListQuery } from './get-records';
import { isChildListOf, recordKeys } from './keys';

describe('request shapes', () => {
  it('builds list parameters the API understands', () => {
    expect(
      toListQuery({ limit: 20, cursor: 'abc', q: '  solar ', sort: 'name', order: 'desc', filters: { 'project_stage.in': '1,2' } }),
    ).toEqual({ limit: '20', cursor: 'abc', q: 'solar', sort: 'name', order: 'desc', total: 'true', 'project_stage.in': '1,2' });
    expect(toListQuery({ limit: 200, cursor: null, q: '', sort: null, order: 'asc', filters: {} }, false)).toEqual({ limit: '200' });
    expect(toListQuery({ limit: 20, cursor: null, q: '', sort: null, order: 'asc', filters: {}, deleted: true })).toEqual({
      limit: '20',
      deleted: 'true',
      total: 'true',
    });
    expect(toListQuery({ limit: 20, cursor: null, q: '', sort: null, order: 'asc', filters: {}, deleted: false }, false)).toEqual({ limit: '20' });
  });

  it('reads child tabs with their counts', () => {
    expect(
      parseChildTabs({
        entity: 'project',
        id: 'p',
        tabs: [
          { entity: 'task', label: 'Tasks', icon: 'CheckSquare', count: 5 },
          { entity: 'wiki', label: 'Wiki', count: null },
          { label: 'broken' },
        ],
      }),
    ).toEqual([
      { entity: 'task', label: 'Tasks', count: 5 },
      { entity: 'wiki', label: 'Wiki', count: null },
    ]);
    expect(parseChildTabs(null)).toEqual([]);
    expect(parseChildTabs({ tabs: 'nope' })).toEqual([]);
  });

  it('finds the child lists of a type under any parent, and nothing else', () => {
    const params = { limit: 20, cursor: null, q: '', sort: null, order: 'asc' as const, filters: {} };
    const match = isChildListOf('task');
    expect(match({ queryKey: recordKeys.childList('project', 'p1', 'task', params) })).toBe(true);
    expect(match({ queryKey: recordKeys.childList('office', 'o1', 'task', params) })).toBe(true);
    expect(match({ queryKey: recordKeys.childList('project', 'p1', 'wiki', params) })).toBe(false);
    expect(match({ queryKey: recordKeys.list('task', params) })).toBe(false);
  });
});
