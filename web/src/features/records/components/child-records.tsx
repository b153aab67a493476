import { Alert, Button, Group, Stack } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { permissionsQueryOptions, typeLevels } from '@/lib/permissions';
import { type ChildTypeInfo, type EntityTypeInfo, type FieldInfo, type Level, isCreatedByUpload, keepsVersions } from '@/lib/registry';
import { useSession } from '@/lib/use-session';
import { useCreateChild } from '../api/create-child';
import { useChildRecords } from '../api/get-children';
import { type ListParams, recordKeys } from '../api/keys';
import { loadColumns } from '../lib/columns';
import { type CursorStack, currentCursor, firstPage, goNext, goPrevious, hasPrevious, pageNumber } from '../lib/cursor-stack';
import { PAGE_SIZE, nextSort } from '../lib/list-state';
import { CreateRecordModal } from './create-record-modal';
import { Pager } from './pager';
import { RecordsTable } from './records-table';

/** What the app may add to a child tab (e.g. uploading files into the artifact tab). */
export interface ChildTabContext {
  parent: EntityTypeInfo;
  parentId: string;
  parentLevels: Set<Level>;
  child: ChildTypeInfo;
  /** Call after adding records under the parent another way: the tab and its count reload. */
  onChanged: () => void;
}

interface Props {
  parent: EntityTypeInfo;
  parentId: string;
  parentLevels: Set<Level>;
  child: ChildTypeInfo;
  childType: EntityTypeInfo;
  renderActions?: (context: ChildTabContext) => ReactNode;
}

/** One child tab: the records under this parent, and "New …" (create and link in one request). */
export function ChildRecords({ parent, parentId, parentLevels, child, childType, renderActions }: Props) {
  const session = useSession();
  const queryClient = useQueryClient();
  const permissions = useQuery(permissionsQueryOptions());
  const [sort, setSort] = useState<{ sort: string | null; order: 'asc' | 'desc' }>({ sort: null, order: 'asc' });
  const [stack, setStack] = useState<CursorStack>(firstPage);
  const [creating, createModal] = useDisclosure(false);
  // Files keep every version as a record: the tab shows each file once, at its latest version.
  const filters: Record<string, string> = keepsVersions(childType) ? { is_latest_version: 'true' } : {};
  const params: ListParams = { limit: PAGE_SIZE, cursor: currentCursor(stack), q: '', sort: sort.sort, order: sort.order, filters };
  const records = useChildRecords(parent.name, parentId, childType.name, params);
  const create = useCreateChild(parent.name, parentId, childType.name);
  const columns = loadColumns(window.localStorage, session?.employee.id ?? 'anonymous', childType).filter(
    (c) => c !== child.parent_field,
  );
  // Creating under a parent needs Create on the child type and Edit on the parent.
  const mayCreate =
    typeLevels(permissions.data, childType.name).has('create') && parentLevels.has('edit') && !isCreatedByUpload(childType.name);
  const onChanged = () => {
    void Promise.all([
      queryClient.invalidateQueries({ queryKey: recordKeys.childLists(parent.name, parentId, childType.name) }),
      queryClient.invalidateQueries({ queryKey: recordKeys.childTabs(parent.name, parentId), exact: true }),
      queryClient.invalidateQueries({ queryKey: recordKeys.lists(childType.name) }),
    ]);
  };
  const actions = renderActions?.({ parent, parentId, parentLevels, child, onChanged });

  const onSort = (field: FieldInfo) => {
    setSort(nextSort(sort, field.name));
    setStack(firstPage());
  };
  const active = sort.sort
    ? { field: sort.sort, order: sort.order }
    : { field: childType.default_sort.field, order: childType.default_sort.direction === 'desc' ? ('desc' as const) : ('asc' as const) };

  return (
    <Stack gap="md">
      {actions}
      {mayCreate && (
        <Group justify="flex-end">
          <Button leftSection={<Plus size={16} aria-hidden />} onClick={createModal.open}>
            New {child.label.toLowerCase()}
          </Button>
        </Group>
      )}
      {records.isError ? (
        <Alert color="red" title={`${child.plural_label} could not be loaded`}>
          {records.error.message}
        </Alert>
      ) : (
        <>
          <RecordsTable
            type={childType}
            rows={records.data?.data ?? []}
            columns={columns}
            sort={active}
            onSort={onSort}
            busy={records.isFetching}
            canEdit={typeLevels(permissions.data, childType.name).has('edit')}
            emptyText={records.isPending ? 'Loading…' : `No ${child.plural_label.toLowerCase()} under this ${parent.label.toLowerCase()} yet.`}
          />
          <Pager
            page={pageNumber(stack)}
            pageSize={PAGE_SIZE}
            shown={records.data?.data.length ?? 0}
            total={records.data?.total}
            hasPrevious={hasPrevious(stack)}
            hasNext={Boolean(records.data?.next_cursor)}
            onPrevious={() => setStack(goPrevious(stack))}
            onNext={() => setStack(goNext(stack, records.data?.next_cursor))}
            label={child.plural_label.toLowerCase()}
          />
        </>
      )}
      {creating && (
        <CreateRecordModal
          type={childType}
          opened={creating}
          onClose={createModal.close}
          parentField={child.parent_field ?? null}
          title={`New ${child.label.toLowerCase()} in this ${parent.label.toLowerCase()}`}
          create={(body) => create.mutateAsync(body)}
          onCreated={createModal.close}
        />
      )}
    </Stack>
  );
}
