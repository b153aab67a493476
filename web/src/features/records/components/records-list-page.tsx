import { Alert, Button, Group, Paper, SegmentedControl, Stack, Switch, Text, Title, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { ArchiveRestore, KanbanSquare, Plus, Table2 } from 'lucide-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { formatInteger, textOf } from '@/lib/format';
import { EntityIcon } from '@/lib/icons';
import { paths } from '@/lib/paths';
import { canCreate, permissionsQueryOptions, recordLevels, typeLevels } from '@/lib/permissions';
import { type EntityTypeInfo, type FieldInfo, isCreatedByUpload } from '@/lib/registry';
import { useDocumentTitle } from '@/lib/use-document-title';
import { useSession } from '@/lib/use-session';

import { useCreateRecord } from '../api/create-record';
import { useRecords } from '../api/get-records';
import type { EntityRecord } from '../api/paths';
import { useRestoreRecord } from '../api/restore-record';
import { type Selection, emptySelection, headerState, toggleAll, toggleOne } from '../lib/bulk-selection';
import { loadColumns, orderColumns, saveColumns } from '../lib/columns';
import { goNext, goPrevious, hasPrevious, pageNumber } from '../lib/cursor-stack';
import { PAGE_SIZE, nextSort, useListState } from '../lib/list-state';
import { BulkActions } from './bulk-actions';
import { ColumnChooser } from './column-chooser';
import { CreateRecordModal } from './create-record-modal';
import { KanbanBoard } from './kanban-board';
import { ListToolbar } from './list-toolbar';
import { Pager } from './pager';
import { RecordsTable } from './records-table';

interface Props {
  type: EntityTypeInfo;
  types: EntityTypeInfo[];
}

export function RecordsListPage({ type }: Props) {
  useDocumentTitle(type.plural_label);
  const navigate = useNavigate();
  const session = useSession();
  const employeeId = session?.employee.id ?? 'anonymous';
  const { state, update, stack, setStack, listParams } = useListState(type);
  const records = useRecords(type.name, listParams);
  const permissions = useQuery(permissionsQueryOptions());
  const create = useCreateRecord(type.name);
  const restore = useRestoreRecord(type.name);
  const [creating, createModal] = useDisclosure(false);
  const [columns, setColumns] = useState(() => loadColumns(window.localStorage, employeeId, type));

  const chooseColumns = (next: string[]) => {
    const ordered = orderColumns(type, next);
    setColumns(ordered);
    saveColumns(window.localStorage, employeeId, type.name, ordered);
  };

  // The selection belongs to one page of one query: a new page, search, filter, sort or the
  // deleted toggle starts it over.
  const selectionIdentity = JSON.stringify([type.name, listParams]);
  const [picked, setPicked] = useState<{ identity: string; ids: Selection }>({ identity: selectionIdentity, ids: emptySelection });
  const selected = picked.identity === selectionIdentity ? picked.ids : emptySelection;
  const setSelected = (ids: Selection) => setPicked({ identity: selectionIdentity, ids });

  const onSort = (field: FieldInfo) => update(nextSort(state, field.name));
  const activeSort = state.sort
    ? { field: state.sort, order: state.order }
    : { field: type.default_sort.field, order: type.default_sort.direction === 'desc' ? ('desc' as const) : ('asc' as const) };

  const page = records.data;
  const total = page?.total;
  const deleted = state.deleted;
  const board = state.view === 'board' && !deleted;
  const countLabel = (n: number) => `${formatInteger(n)}${deleted ? ' deleted' : ''} ${n === 1 ? type.label.toLowerCase() : type.plural_label.toLowerCase()}`;

  const pageIds = (page?.data ?? []).map((row) => textOf(row['id']));
  // Delete and Restore both need the Delete level on the row (the same answer as the row buttons).
  const mayDelete = (row: EntityRecord) => recordLevels(row, permissions.data, type.name).has('delete');

  const restoreButton = (row: EntityRecord) => {
    const id = textOf(row['id']);
    const name = textOf(row[type.title_field]) || '(untitled)';
    // The API restores with the Delete level; without it the button is not offered.
    if (!mayDelete(row)) return null;
    return (
      <Button
        variant="default"
        size="xs"
        leftSection={<ArchiveRestore size={14} aria-hidden />}
        aria-label={`Restore ${name}`}
        loading={restore.isPending && restore.variables === id}
        onClick={() =>
          restore.mutate(id, {
            onSuccess: () => notifications.show({ color: 'green', message: `${name} restored.` }),
            onError: (error) => notifications.show({ color: 'red', title: 'Not restored', message: error.message }),
          })
        }
      >
        Restore
      </Button>
    );
  };

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="nowrap">
          <EntityIcon name={type.icon} size={28} strokeWidth={1.75} aria-hidden color="var(--mantine-color-blue-6)" />
          <div>
            <Title order={1} size="h2">
              {type.plural_label}
            </Title>
            <Text size="sm" c="dimmed">
              {total !== undefined ? countLabel(total) : '\u00a0'}
            </Text>
          </div>
        </Group>
        <Group gap="sm">
          {type.kanban_field && !deleted && (
            <SegmentedControl
              aria-label="View"
              value={state.view}
              onChange={(view) => update({ view: view === 'board' ? 'board' : 'table' })}
              data={[
                { value: 'table', label: <Group gap={6} wrap="nowrap"><Table2 size={16} aria-hidden />Table</Group> },
                { value: 'board', label: <Group gap={6} wrap="nowrap"><KanbanSquare size={16} aria-hidden />Board</Group> },
              ]}
            />
          )}
          {canCreate(permissions.data, type.name) && !isCreatedByUpload(type.name) && (
            <Button leftSection={<Plus size={16} aria-hidden />} onClick={createModal.open}>
              New {type.label.toLowerCase()}
            </Button>
          )}
        </Group>
      </Group>

      <Paper withBorder radius="md" p="md">
        <Stack gap="md">
          <ListToolbar
            type={type}
            q={state.q}
            onSearch={(q) => update({ q })}
            filters={state.filters}
            onFilter={(field, values) => update({ filters: { ...state.filters, [field]: values } })}
          >
            <Switch
              label="Show deleted"
              checked={deleted}
              onChange={(event) => update({ deleted: event.currentTarget.checked })}
            />
            {!board && <ColumnChooser type={type} columns={columns} onChange={chooseColumns} />}
          </ListToolbar>

          {board ? (
            <KanbanBoard
              type={type}
              params={{ q: state.q, sort: state.sort, order: state.order, filters: listParams.filters }}
              canEdit={typeLevels(permissions.data, type.name).has('edit') || !permissions.data}
            />
          ) : records.isError ? (
            <Alert color="red" title={`${type.plural_label} could not be loaded`}>
              {records.error.message}
            </Alert>
          ) : (
            <>
              <BulkActions
                type={type}
                rows={page?.data ?? []}
                selection={selected}
                deleted={deleted}
                mayAct={mayDelete}
                onDone={() => setSelected(emptySelection)}
              />
              <RecordsTable
                type={type}
                rows={page?.data ?? []}
                columns={columns}
                sort={activeSort}
                onSort={onSort}
                busy={records.isFetching}
                canEdit={!deleted && typeLevels(permissions.data, type.name).has('edit')}
                rowActions={deleted ? restoreButton : undefined}
                selection={{
                  selected,
                  header: headerState(selected, pageIds),
                  onToggle: (id) => setSelected(toggleOne(selected, id)),
                  onToggleAll: () => setSelected(toggleAll(selected, pageIds)),
                }}
                emptyText={
                  records.isPending
                    ? 'Loading…'
                    : state.q || Object.keys(state.filters).length > 0
                      ? 'Nothing matches the search and filters.'
                      : deleted
                        ? `No deleted ${type.plural_label.toLowerCase()}.`
                        : `No ${type.plural_label.toLowerCase()} yet.`
                }
              />
              <Pager
                page={pageNumber(stack)}
                pageSize={PAGE_SIZE}
                shown={page?.data.length ?? 0}
                total={total}
                hasPrevious={hasPrevious(stack)}
                hasNext={Boolean(page?.next_cursor)}
                onPrevious={() => setStack(goPrevious(stack))}
                onNext={() => setStack(goNext(stack, page?.next_cursor))}
                label={`${deleted ? 'deleted ' : ''}${type.plural_label.toLowerCase()}`}
              />
            </>
          )}
        </Stack>
      </Paper>
      <VisuallyHidden aria-live="polite">{records.isFetching ? 'Loading' : ''}</VisuallyHidden>

      {creating && (
        <CreateRecordModal
          type={type}
          opened={creating}
          onClose={createModal.close}
          create={(body) => create.mutateAsync(body)}
          onCreated={(record) => {
            createModal.close();
            void navigate(paths.detail(type.name, textOf(record['id'])));
          }}
        />
      )}
    </Stack>
  );
}
