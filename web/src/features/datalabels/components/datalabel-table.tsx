import {
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { Alert, Center, Loader, Table, Text } from '@mantine/core';
import type { DatalabelName, DatalabelValue } from '@/lib/datalabels';
import { useDatalabelValues } from '../api/get-datalabel-values';
import { useReorderDatalabelValues } from '../api/reorder-datalabel-values';
import { datalabelTitle } from '../lib/datalabel-names';
import { keysAfterDrop, keysAfterStep } from '../lib/reorder';
import { LabelRow, sortableId } from './label-row';

const keyOf = (id: string | number): number => Number(String(id).replace(/^label-/, ''));

function nameOf(values: readonly DatalabelValue[], id: string | number): string {
  return values.find((v) => v.key === keyOf(id))?.name ?? 'the label';
}

export function DatalabelTable({ datalabel }: { datalabel: DatalabelName }) {
  const values = useDatalabelValues(datalabel);
  const reorder = useReorderDatalabelValues(datalabel);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  if (values.isPending) {
    return (
      <Center py="lg">
        <Loader aria-label="Loading labels" />
      </Center>
    );
  }
  if (values.isError) {
    return (
      <Alert color="red" title="The labels could not be loaded" role="alert">
        {values.error.message}
      </Alert>
    );
  }

  const rows = values.data;
  const active = rows.filter((v) => v.active_flag);
  const send = (keys: number[] | null) => {
    if (keys) reorder.mutate(keys);
  };
  const onDragEnd = ({ active: dragged, over }: DragEndEvent) => {
    if (over) send(keysAfterDrop(rows, keyOf(dragged.id), keyOf(over.id)));
  };
  const title = datalabelTitle(datalabel);

  return (
    <>
      {reorder.isError && (
        <Alert color="red" role="alert" title="The new order was not saved" mb="sm">
          {reorder.error.message}
        </Alert>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={closestCenter}
        onDragEnd={onDragEnd}
        accessibility={{
          screenReaderInstructions: {
            draggable: 'To reorder, press space or enter on the handle, move with the arrow keys, and press space or enter again to drop. Escape cancels.',
          },
          announcements: {
            onDragStart: ({ active: a }) => `Picked up ${nameOf(rows, a.id)}.`,
            onDragOver: ({ active: a, over }) => (over ? `${nameOf(rows, a.id)} is over ${nameOf(rows, over.id)}.` : undefined),
            onDragEnd: ({ active: a, over }) => (over ? `${nameOf(rows, a.id)} dropped at the place of ${nameOf(rows, over.id)}.` : `${nameOf(rows, a.id)} dropped.`),
            onDragCancel: ({ active: a }) => `Moving ${nameOf(rows, a.id)} was cancelled.`,
          },
        }}
      >
        <SortableContext items={active.map((v) => sortableId(v.key))} strategy={verticalListSortingStrategy}>
          <Table.ScrollContainer minWidth={640} className="pmo-cards-on-phone">
            <Table verticalSpacing="xs" aria-label={`${title} labels`} aria-busy={reorder.isPending}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Order</Table.Th>
                  <Table.Th>Colour</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((value) => (
                  <LabelRow
                    key={value.key}
                    datalabel={datalabel}
                    value={value}
                    index={active.indexOf(value)}
                    activeCount={active.length}
                    onStep={(key, step) => send(keysAfterStep(rows, key, step))}
                    reordering={reorder.isPending}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </SortableContext>
      </DndContext>
      {rows.length === 0 && (
        <Text c="dimmed" size="sm">
          No labels yet.
        </Text>
      )}
    </>
  );
}
