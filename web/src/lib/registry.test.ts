import { projectType } from '@/testing/fixtures';
import { iconByName, hasIcon } from './icons';
import { safeNext, signInPath } from './paths';
import { type EntityTypeInfo, groupTypesForNav } from './registry';

const t = (name: string, nav_group: EntityTypeInfo['nav_group'], display_order: number): EntityTypeInfo => ({
  ...projectType,
  name: name as EntityTypeInfo['name'],
  nav_group,
  display_order,
});

describe('sidebar grouping', () => {
  it('orders groups as the sidebar does and types by display order, dropping empty groups', () => {
    const groups = groupTypesForNav([t('task', 'work', 60), t('wiki', 'content', 150), t('project', 'work', 50), t('office', 'organisation', 20)]);
    expect(groups.map((g) => [g.group, g.types.map((x) => x.name)])).toEqual([
      ['organisation', ['office']],
      ['work', ['project', 'task']],
      ['content', ['wiki']],
    ]);
  });

  it('knows the registry icons and falls back for unknown names', () => {
    for (const name of ['FolderOpen', 'CheckSquare', 'Users', 'Receipt', 'BarChart3']) expect(hasIcon(name)).toBe(true);
    expect(iconByName('NoSuchIcon')).toBe(iconByName('Box'));
  });
});

describe('sign-in return path', () => {
  it('only follows same-origin paths', () => {
    expect(safeNext('/project/1?x=2')).toBe('/project/1?x=2');
    expect(safeNext(null)).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
  });

  it('builds the sign-in link with the page to return to', () => {
    expect(signInPath('/task?view=board')).toBe('/sign-in?next=%2Ftask%3Fview%3Dboard');
    expect(signInPath('/')).toBe('/sign-in');
    expect(signInPath('/sign-in?next=x')).toBe('/sign-in');
  });
});

describe('formatting', () => {
  it('turns enum values into words', async () => {
    const { humanize, textOf } = await import('./format');
    expect(humanize('due_on_receipt')).toBe('Due on receipt');
    expect(humanize('in-person')).toBe('In person');
    expect(textOf(null)).toBe('');
    expect(textOf(3)).toBe('3');
    expect(textOf({ a: 1 })).toBe('{"a":1}');
  });
});
