import { groupIntoColumns } from './board';

describe('kanban columns', () => {
  it('groups by key in datalabel order and keeps the rest aside', () => {
    const values = [{ key: 2, name: 'Done' }, { key: 0, name: 'Backlog' }];
    const records = [
      { id: 'a', stage: 0 },
      { id: 'b', stage: 2 },
      { id: 'c', stage: null },
      { id: 'd', stage: 9 },
      { id: 'e', stage: 0 },
    ];
    const { columns, unplaced } = groupIntoColumns(records, 'stage', values);
    expect(columns.map((c) => [c.value.name, c.records.map((r) => r.id)])).toEqual([
      ['Done', ['b']],
      ['Backlog', ['a', 'e']],
    ]);
    expect(unplaced.map((r) => r.id)).toEqual(['c', 'd']);
  });
});
