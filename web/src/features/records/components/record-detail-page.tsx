import { Alert, Anchor, Badge, Box, Button, Center, Group, Loader, Modal, Paper, Stack, Tabs, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ArchiveRestore, ArrowLeft, Pencil, Trash2 } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '@/lib/api-client';
import { EntityIcon } from '@/lib/icons';
import { paths } from '@/lib/paths';
import { permissionsQueryOptions, recordLevels } from '@/lib/permissions';
import { type EntityTypeInfo, type Level, findType } from '@/lib/registry';
import { useDocumentTitle } from '@/lib/use-document-title';
import { useDeleteRecord } from '../api/delete-record';
import { useChildTabs } from '../api/get-child-tabs';
import { useRecord } from '../api/get-record';
import { recordKeys } from '../api/keys';
import type { EntityRecord } from '../api/paths';
import { useRestoreRecord } from '../api/restore-record';
import { type ChildTabContext, ChildRecords } from './child-records';
import { FieldValue } from './field-value';
import { LinesTable } from './lines-table';
import { RecordEditor } from './record-editor';
import { StageStepper } from './stage-stepper';
import { formatTimestamp, textOf } from '@/lib/format';

/** What the app may add under a record's fields (e.g. the version chain of a file). */
export interface RecordSectionContext {
  type: EntityTypeInfo;
  record: EntityRecord;
  levels: Set<Level>;
  /** Call after changing the record another way: it reloads, and so do the lists. */
  onChanged: () => void;
}

interface Props {
  type: EntityTypeInfo;
  types: EntityTypeInfo[];
  id: string;
  tab: string | null;
  /** Extra content of the overview tab, below the fields. */
  renderSection?: (context: RecordSectionContext) => ReactNode;
  /** Extra actions at the top of a child tab. */
  renderChildActions?: (context: ChildTabContext) => ReactNode;
}

const OVERVIEW = 'overview';
/** Shown in the header or in the footer line, not in the field grid. */
const NOT_IN_GRID = new Set(['id', 'name', 'version', 'created_ts', 'updated_ts', 'created_by', 'updated_by']);

function FieldsView({ type, record }: { type: EntityTypeInfo; record: EntityRecord }) {
  const fields = type.fields.filter((f) => !NOT_IN_GRID.has(f.name) && f.name !== type.title_field && f.name in record);
  return (
    <dl className="pmo-field-grid" style={{ margin: 0 }}>
      {fields.map((field) => (
        <div key={field.name} style={field.kind.type === 'long_text' || field.kind.type === 'json' ? { gridColumn: '1 / -1' } : undefined}>
          <Text component="dt" size="xs" c="dimmed" fw={600} tt="uppercase" mb={2}>
            {field.label}
          </Text>
          <dd style={{ margin: 0 }}>
            <FieldValue field={field} record={record} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function AuditLine({ record }: { record: EntityRecord }) {
  const created = record['created_ts'];
  const updated = record['updated_ts'];
  return (
    <Group gap="lg" c="dimmed">
      {typeof created === 'string' && (
        <Text size="xs">
          Created {formatTimestamp(created)}
          {typeof record['created_by_name'] === 'string' ? ` by ${record['created_by_name']}` : ''}
        </Text>
      )}
      {typeof updated === 'string' && (
        <Text size="xs">
          Updated {formatTimestamp(updated)}
          {typeof record['updated_by_name'] === 'string' ? ` by ${record['updated_by_name']}` : ''}
        </Text>
      )}
      <Text size="xs">Version {textOf(record['version'])}</Text>
    </Group>
  );
}

export function RecordDetailPage({ type, types, id, tab, renderSection, renderChildActions }: Props) {
  const record = useRecord(type.name, id);
  const childTabs = useChildTabs(type.name, id);
  const permissions = useQuery(permissionsQueryOptions());
  const remove = useDeleteRecord(type.name);
  const restore = useRestoreRecord(type.name);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [confirming, confirm] = useDisclosure(false);
  const title = record.data ? (textOf(record.data[type.title_field]) || '(untitled)') : undefined;
  useDocumentTitle(title ?? type.label);

  if (record.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label={`Loading the ${type.label.toLowerCase()}`} />
      </Center>
    );
  }
  if (record.isError) {
    const missing = record.error instanceof ApiError && record.error.status === 404;
    return (
      <Stack>
        <Anchor component={Link} to={paths.list(type.name)} size="sm">
          <Group gap={4}>
            <ArrowLeft size={14} aria-hidden /> {type.plural_label}
          </Group>
        </Anchor>
        <Alert color={missing ? 'gray' : 'red'} title={missing ? `This ${type.label.toLowerCase()} does not exist` : 'Could not load'}>
          {missing ? 'It may have been deleted, or you may not have access to it.' : record.error.message}
        </Alert>
      </Stack>
    );
  }

  const data = record.data;
  const levels = recordLevels(data, permissions.data, type.name);
  const kanbanField = type.fields.find((f) => f.name === type.kanban_field);
  const counts = new Map((childTabs.data ?? []).map((t) => [t.entity, t.count]));
  const children = type.children.filter((c) => findType(types, c.name));
  const current = tab && children.some((c) => c.name === tab) ? tab : OVERVIEW;

  const doDelete = () =>
    remove.mutate(id, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: `${title ?? type.label} deleted. It can be restored.` });
        void navigate(paths.list(type.name));
      },
      onError: (error) => notifications.show({ color: 'red', title: 'Not deleted', message: error.message }),
    });
  const deleted = data['active_flag'] === false;
  const doRestore = () =>
    restore.mutate(id, {
      onSuccess: () => notifications.show({ color: 'green', message: `${title ?? type.label} restored.` }),
      onError: (error) => notifications.show({ color: 'red', title: 'Not restored', message: error.message }),
    });
  const onChanged = () => {
    void Promise.all([
      queryClient.invalidateQueries({ queryKey: recordKeys.detail(type.name, id), exact: true }),
      queryClient.invalidateQueries({ queryKey: recordKeys.lists(type.name) }),
    ]);
  };

  return (
    <Stack gap="md">
      <Anchor component={Link} to={paths.list(type.name)} size="sm" w="fit-content">
        <Group gap={4}>
          <ArrowLeft size={14} aria-hidden /> {type.plural_label}
        </Group>
      </Anchor>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <EntityIcon name={type.icon} size={28} strokeWidth={1.75} aria-hidden color="var(--mantine-color-blue-6)" style={{ marginTop: 4 }} />
          <div>
            <Title order={1} size="h2">
              {title}
            </Title>
            <Group gap="xs">
              <Text size="sm" c="dimmed">
                {type.label}
                {typeof data['code'] === 'string' ? ` · ${data['code']}` : ''}
              </Text>
              {deleted && (
                <Badge color="red" variant="light">
                  Deleted
                </Badge>
              )}
            </Group>
          </div>
        </Group>
        {!editing && (
          <Group gap="xs">
            {levels.has('edit') && !deleted && (
              <Button leftSection={<Pencil size={16} aria-hidden />} onClick={() => { setEditing(true); void navigate(paths.detail(type.name, id)); }}>
                Edit
              </Button>
            )}
            {levels.has('delete') && !deleted && (
              <Button variant="default" color="red" leftSection={<Trash2 size={16} aria-hidden />} onClick={confirm.open}>
                Delete
              </Button>
            )}
            {levels.has('delete') && deleted && (
              <Button leftSection={<ArchiveRestore size={16} aria-hidden />} loading={restore.isPending} onClick={doRestore}>
                Restore
              </Button>
            )}
          </Group>
        )}
      </Group>

      {kanbanField && <StageStepper field={kanbanField} value={data[kanbanField.name]} />}

      <Tabs
        value={current}
        onChange={(value) => void navigate(value && value !== OVERVIEW ? `${paths.detail(type.name, id)}/${value}` : paths.detail(type.name, id))}
        keepMounted={false}
      >
        <Tabs.List style={{ flexWrap: 'wrap' }}>
          <Tabs.Tab value={OVERVIEW}>Overview</Tabs.Tab>
          {children.map((child) => {
            const count = counts.get(child.name);
            return (
              <Tabs.Tab
                key={child.name}
                value={child.name}
                rightSection={
                  count !== undefined && count !== null ? (
                    <Badge size="sm" variant="light" color="gray" aria-label={`${count} ${child.plural_label.toLowerCase()}`}>
                      {count}
                    </Badge>
                  ) : null
                }
              >
                {child.plural_label}
              </Tabs.Tab>
            );
          })}
        </Tabs.List>
        <Tabs.Panel value={OVERVIEW} pt="md">
          <Paper withBorder radius="md" p="lg">
            <Stack gap="lg">
              {editing ? (
                <RecordEditor type={type} record={data} onDone={() => setEditing(false)} />
              ) : (
                <FieldsView type={type} record={data} />
              )}
              {type.lines && Array.isArray(data['lines']) && (
                <LinesTable lines={type.lines} rows={(data['lines'] as unknown[]).filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)} />
              )}
              <AuditLine record={data} />
            </Stack>
          </Paper>
          {renderSection && <Box mt="md">{renderSection({ type, record: data, levels, onChanged })}</Box>}
        </Tabs.Panel>
        {children.map((child) => {
          const childType = findType(types, child.name);
          return (
            <Tabs.Panel key={child.name} value={child.name} pt="md">
              {childType && (
                <Paper withBorder radius="md" p="md">
                  <ChildRecords
                    parent={type}
                    parentId={id}
                    parentLevels={levels}
                    child={child}
                    childType={childType}
                    renderActions={renderChildActions}
                  />
                </Paper>
              )}
            </Tabs.Panel>
          );
        })}
      </Tabs>

      <Modal opened={confirming} onClose={confirm.close} title={`Delete ${title ?? ''}?`} closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text size="sm">The {type.label.toLowerCase()} is hidden from lists. An administrator can restore it.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={doDelete}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
