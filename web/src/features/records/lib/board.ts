// Grouping records into kanban columns, in datalabel order.
export interface ColumnValue {
  key: number;
}

export function groupIntoColumns<V extends ColumnValue, R extends Record<string, unknown>>(
  records: readonly R[],
  field: string,
  values: readonly V[],
): { columns: { value: V; records: R[] }[]; unplaced: R[] } {
  const columns = values.map((value) => ({ value, records: [] as R[] }));
  const byKey = new Map(columns.map((c) => [c.value.key, c]));
  const unplaced: R[] = [];
  for (const record of records) {
    const key = record[field];
    const column = typeof key === 'number' ? byKey.get(key) : undefined;
    if (column) column.records.push(record);
    else unplaced.push(record);
  }
  return { columns, unplaced };
}
