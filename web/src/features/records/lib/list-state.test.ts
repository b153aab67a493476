import { projectType } from '@/testing/fixtures';
import { filterParams, nextSort, readListState, writeListState } from './list-state';

describe('list state in the URL', () => {
  it('reads search, sort, filters and view, ignoring what the type does not allow', () => {
    const params = new URLSearchParams('q=solar&sort=name&order=desc&f.project_stage=1,2&f.descr=x&view=board&sort2=x');
    expect(readListState(params, projectType)).toEqual({
      q: 'solar',
      sort: 'name',
      order: 'desc',
      filters: { project_stage: ['1', '2'] },
      view: 'board',
      deleted: false,
    });
    expect(readListState(new URLSearchParams('deleted=true'), projectType).deleted).toBe(true);
    expect(readListState(new URLSearchParams('deleted=1'), projectType).deleted).toBe(false);
    expect(readListState(new URLSearchParams('sort=descr'), projectType).sort).toBeNull();
    expect(readListState(new URLSearchParams('view=board'), { ...projectType, kanban_field: null }).view).toBe('table');
  });

  it('writes only what differs from the defaults', () => {
    expect(writeListState({ q: '', sort: null, order: 'asc', filters: {}, view: 'table', deleted: false }).toString()).toBe('');
    expect(
      writeListState({ q: 'x', sort: 'code', order: 'asc', filters: { project_stage: ['3'], tags: [] }, view: 'board', deleted: true }).toString(),
    ).toBe('q=x&sort=code&order=asc&f.project_stage=3&view=board&deleted=true');
  });

  it('maps filters to the API parameters', () => {
    expect(filterParams({ project_stage: ['1'], task_priority: ['2', '3'], tags: [] })).toEqual({
      project_stage: '1',
      'task_priority.in': '2,3',
    });
  });

  it('cycles a header through ascending, descending and the default', () => {
    let sort = nextSort({ sort: null, order: 'asc' }, 'name');
    expect(sort).toEqual({ sort: 'name', order: 'asc' });
    sort = nextSort(sort, 'name');
    expect(sort).toEqual({ sort: 'name', order: 'desc' });
    sort = nextSort(sort, 'name');
    expect(sort).toEqual({ sort: null, order: 'asc' });
    expect(nextSort({ sort: 'name', order: 'desc' }, 'code')).toEqual({ sort: 'code', order: 'asc' });
  });
});
