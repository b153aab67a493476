import {
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { ActionIcon, Alert, Anchor, Badge, Group, Loader, Menu, Paper, Stack, Text } from '@mantine/core';
import { GripVertical, MoveRight } from 'lucide-react';
import { Link } from 'react-router';
import { textOf } from '@/lib/format';
import { paths } from '@/lib/paths';
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';
import { type DatalabelValue, useDatalabel } from '@/lib/datalabels';
import { BOARD_LIMIT, type BoardParams, useBoard } from '../api/get-board';
import { useMoveRecord } from '../api/move-record';
import type { EntityRecord } from '../api/paths';
import { groupIntoColumns } from '../lib/board';
import { FieldValue } from './field-value';

interface Props {
  type: EntityTypeInfo;
  params: BoardParams;
  canEdit: boolean;
}

function Card({
  type,
  record,
  columns,
  field,
  detailFields,
  canEdit,
  onMove,
}: {
  type: EntityTypeInfo;
  record: EntityRecord;
  columns: DatalabelValue[];
  field: FieldInfo;
  detailFields: FieldInfo[];
  canEdit: boolean;
  onMove: (value: DatalabelValue) => void;
}) {
  const id = textOf(record['id']);
  const name = (textOf(record[type.title_field]) || '(untitled)');
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({ id, disabled: !canEdit });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)`, zIndex: 10 } : undefined;
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      p="sm"
      radius="md"
      shadow={isDragging ? 'md' : 'xs'}
      className="pmo-kanban-card"
      data-dragging={isDragging}
      data-record-id={id}
      style={style}
      // The mouse drags the whole card; the keyboard drags it by its handle, so the card holds
      // no nested interactive roles (its title is a link, its menu a button).
      onPointerDown={listeners?.['onPointerDown'] as React.PointerEventHandler | undefined}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap={4}>
        {canEdit && (
          <ActionIcon
            ref={setActivatorNodeRef}
            variant="subtle"
            color="gray"
            size="sm"
            {...attributes}
            onKeyDown={listeners?.['onKeyDown'] as React.KeyboardEventHandler | undefined}
            aria-roledescription="draggable"
            aria-label={`Drag ${name}`}
            style={{ cursor: 'grab', marginLeft: -6 }}
          >
            <GripVertical size={14} aria-hidden />
          </ActionIcon>
        )}
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Anchor component={Link} to={paths.detail(type.name, id)} size="sm" fw={600} className="pmo-row-link" draggable={false}>
            {name}
          </Anchor>
          {typeof record['code'] === 'string' && (
            <Text size="xs" c="dimmed">
              {record['code']}
            </Text>
          )}
        </Stack>
        {canEdit && (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" size="sm" aria-label={`Move ${name} to another ${field.label.toLowerCase()}`}>
                <MoveRight size={14} aria-hidden />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>Move to</Menu.Label>
              {columns
                .filter((c) => c.key !== record[field.name])
                .map((c) => (
                  <Menu.Item key={c.key} onClick={() => onMove(c)}>
                    {c.name}
                  </Menu.Item>
                ))}
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      {detailFields.length > 0 && (
        <Group gap={6} mt={6}>
          {detailFields.map((f) => (
            <FieldValue key={f.name} field={f} record={record} compact />
          ))}
        </Group>
      )}
    </Paper>
  );
}

function Column({ value, count, children }: { value: DatalabelValue; count: number; children: React.ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: `column:${value.key}` });
  return (
    <section ref={setNodeRef} className="pmo-kanban-column" data-over={isOver} aria-label={`${value.name}, ${count}`} data-column-key={value.key}>
      <Group justify="space-between" p="sm" pb={4}>
        <Group gap={6}>
          <span aria-hidden style={{ width: 10, height: 10, borderRadius: 99, background: value.color_code, display: 'inline-block' }} />
          <Text fw={600} size="sm">
            {value.name}
          </Text>
        </Group>
        <Badge variant="default" size="sm">
          {count}
        </Badge>
      </Group>
      <Stack gap="xs" p="xs" mih={120}>
        {children}
      </Stack>
    </section>
  );
}

export function KanbanBoard({ type, params, canEdit }: Props) {
  const field = type.fields.find((f) => f.name === type.kanban_field);
  const datalabel = field?.kind.type === 'datalabel' ? field.kind.datalabel : null;
  const values = useDatalabel(datalabel);
  const board = useBoard(type.name, params);
  const move = useMoveRecord(type.name, params);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );

  if (!field || !datalabel) return <Alert color="yellow">This type has no board.</Alert>;
  if (values.isPending || board.isPending) {
    return (
      <Group justify="center" py="xl">
        <Loader aria-label="Loading the board" />
      </Group>
    );
  }
  if (values.isError || board.isError) {
    return (
      <Alert color="red" title="The board could not be loaded">
        {(values.error ?? board.error)?.message}
      </Alert>
    );
  }

  const columns = values.data.filter((v) => v.active_flag);
  const grouped = groupIntoColumns(board.data.data, field.name, columns);
  const detailFields = type.fields
    .filter((f) => f.name !== field.name && !f.sensitive && (f.kind.type === 'datalabel' || f.kind.type === 'reference') && !f.read_only)
    .slice(0, 2);

  const moveTo = (record: EntityRecord, value: DatalabelValue) => {
    if (record[field.name] === value.key) return;
    move.mutate({ record, field: field.name, key: value.key, keyName: value.name });
  };

  const onDragEnd = (event: DragEndEvent) => {
    const overId = event.over?.id;
    if (typeof overId !== 'string' || !overId.startsWith('column:')) return;
    const key = Number(overId.slice('column:'.length));
    const record = board.data.data.find((r) => r['id'] === event.active.id);
    const value = columns.find((c) => c.key === key);
    if (record && value) moveTo(record, value);
  };

  return (
    <Stack gap="xs">
      {board.data.next_cursor && (
        <Text size="sm" c="dimmed">
          Showing the first {BOARD_LIMIT} cards; search or filter to narrow the board.
        </Text>
      )}
      <DndContext sensors={sensors} onDragEnd={onDragEnd} accessibility={{ screenReaderInstructions: { draggable: 'Press space to pick up a card, arrow keys to move it, space again to drop it. Or use its Move to menu.' } }}>
        <div className="pmo-kanban" role="region" aria-label={`${type.plural_label} by ${field.label.toLowerCase()}`}>
          {grouped.columns.map(({ value, records }) => (
            <Column key={value.key} value={value} count={records.length}>
              {records.map((record) => (
                <Card
                  key={textOf(record['id'])}
                  type={type}
                  record={record}
                  columns={columns}
                  field={field}
                  detailFields={detailFields}
                  canEdit={canEdit && (!Array.isArray(record['_permissions']) || (record['_permissions'] as string[]).includes('edit'))}
                  onMove={(v) => moveTo(record, v)}
                />
              ))}
            </Column>
          ))}
        </div>
      </DndContext>
      {grouped.unplaced.length > 0 && (
        <Text size="sm" c="dimmed">
          {grouped.unplaced.length} without a {field.label.toLowerCase()} are not on the board.
        </Text>
      )}
    </Stack>
  );
}
