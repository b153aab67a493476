import { Anchor, Checkbox, ScrollArea, Stack, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';
import { ArrowDown, ArrowUp, ArrowUpDown } from 'lucide-react';
import { Link } from 'react-router';
import { textOf } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';
import type { EntityRecord } from '../api/paths';
import { FieldValue } from './field-value';
import { InlineEditCell, isInlineEditable } from './inline-edit-cell';

export interface SortState {
  field: string;
  order: 'asc' | 'desc';
}

interface Props {
  type: EntityTypeInfo;
  rows: EntityRecord[];
  columns: string[];
  sort: SortState | null;
  onSort: (field: FieldInfo) => void;
  /** Shown in an empty table. */
  emptyText: string;
  busy?: boolean;
  /** Cells of editable fields open an inline editor (the server still checks each row). */
  canEdit?: boolean;
  /** A last column of per-row buttons (e.g. Restore), when given. */
  rowActions?: (row: EntityRecord) => ReactNode;
  /** A first column of checkboxes (bulk actions), when given. */
  selection?: {
    selected: readonly string[];
    header: 'none' | 'some' | 'all';
    onToggle: (id: string) => void;
    onToggleAll: () => void;
  };
}

function SortIcon({ active, order }: { active: boolean; order: 'asc' | 'desc' }) {
  if (!active) return <ArrowUpDown size={14} aria-hidden opacity={0.45} />;
  return order === 'asc' ? <ArrowUp size={14} aria-hidden /> : <ArrowDown size={14} aria-hidden />;
}

export function RecordsTable({ type, rows, columns, sort, onSort, emptyText, busy = false, canEdit = false, rowActions, selection }: Props) {
  const fields = columns
    .map((name) => type.fields.find((f) => f.name === name))
    .filter((f): f is FieldInfo => f !== undefined);

  return (
    <ScrollArea type="auto" offsetScrollbars>
      <Table
        striped
        highlightOnHover
        verticalSpacing="sm"
        horizontalSpacing="md"
        aria-label={type.plural_label}
        aria-busy={busy}
        style={{ opacity: busy ? 0.6 : 1, transition: 'opacity 120ms' }}
      >
        <Table.Thead>
          <Table.Tr>
            {selection && (
              <Table.Th w={44} className="pmo-select-cell">
                <Checkbox
                  aria-label="Select all on this page"
                  checked={selection.header === 'all'}
                  indeterminate={selection.header === 'some'}
                  disabled={rows.length === 0}
                  onChange={selection.onToggleAll}
                />
              </Table.Th>
            )}
            {fields.map((field) => {
              const active = sort?.field === field.name;
              const ariaSort = active ? (sort.order === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <Table.Th key={field.name} aria-sort={ariaSort} className="pmo-nowrap">
                  {field.sortable ? (
                    <UnstyledButton
                      onClick={() => onSort(field)}
                      fw={600}
                      fz="sm"
                      style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}
                      aria-label={`Sort by ${field.label}`}
                    >
                      {field.label}
                      <SortIcon active={active} order={sort?.order ?? 'asc'} />
                    </UnstyledButton>
                  ) : (
                    field.label
                  )}
                </Table.Th>
              );
            })}
            {rowActions && (
              <Table.Th className="pmo-sticky-end">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 ? (
            <Table.Tr>
              <Table.Td colSpan={Math.max(1, fields.length + (rowActions ? 1 : 0) + (selection ? 1 : 0))}>
                <Text c="dimmed" ta="center" py="lg">
                  {emptyText}
                </Text>
              </Table.Td>
            </Table.Tr>
          ) : (
            rows.map((row) => {
              const id = textOf(row['id']);
              const picked = selection?.selected.includes(id) ?? false;
              return (
                <Table.Tr key={id} data-record-id={id} data-selected={picked || undefined}>
                  {selection && (
                    <Table.Td className="pmo-select-cell">
                      <Checkbox
                        aria-label={`Select ${textOf(row[type.title_field]) || '(untitled)'}`}
                        checked={picked}
                        onChange={() => selection.onToggle(id)}
                      />
                    </Table.Td>
                  )}
                  {fields.map((field) => (
                    <Table.Td key={field.name} miw={field.name === type.title_field ? 220 : undefined}>
                      {field.name === type.title_field ? (
                        <Stack gap={0}>
                          <Anchor component={Link} to={paths.detail(type.name, id)} className="pmo-row-link" size="sm">
                            {(textOf(row[field.name]) || '(untitled)')}
                          </Anchor>
                          {typeof row['code'] === 'string' && (
                            <Text size="xs" c="dimmed">
                              {row['code']}
                            </Text>
                          )}
                        </Stack>
                      ) : canEdit && isInlineEditable(type, field) ? (
                        <InlineEditCell type={type} field={field} record={row} />
                      ) : (
                        <FieldValue field={field} record={row} compact />
                      )}
                    </Table.Td>
                  ))}
                  {rowActions && (
                    <Table.Td ta="right" className="pmo-sticky-end">
                      {rowActions(row)}
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })
          )}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
