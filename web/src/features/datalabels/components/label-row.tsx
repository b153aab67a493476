import { useSortable } from '@dnd-kit/sortable';
import { ActionIcon, Badge, Button, ColorInput, ColorSwatch, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ArrowDown, ArrowUp, GripVertical, Pencil } from 'lucide-react';
import { useState } from 'react';
import { ApiError } from '@/lib/api-client';
import type { DatalabelName, DatalabelValue } from '@/lib/datalabels';
import { useActivateDatalabelValue } from '../api/activate-datalabel-value';
import { useDeactivateDatalabelValue } from '../api/deactivate-datalabel-value';
import { useUpdateDatalabelValue } from '../api/update-datalabel-value';
import { type LabelDraft, draftOf, labelChanges, usageSummary } from '../lib/label-changes';

/** Colours offered next to the free `#RRGGBB` input. */
export const SWATCHES = ['#6B7280', '#3B82F6', '#0EA5E9', '#10B981', '#84CC16', '#F59E0B', '#F97316', '#EF4444', '#EC4899', '#8B5CF6'];

interface Props {
  datalabel: DatalabelName;
  value: DatalabelValue;
  /** Its place among the active values (0-based), and how many there are. */
  index: number;
  activeCount: number;
  onStep: (key: number, step: -1 | 1) => void;
  reordering: boolean;
}

export const sortableId = (key: number) => `label-${String(key)}`;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'The request failed.';
}

export function LabelRow({ datalabel, value, index, activeCount, onStep, reordering }: Props) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: sortableId(value.key),
    disabled: !value.active_flag,
  });
  const [draft, setDraft] = useState<LabelDraft | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [rowError, setRowError] = useState<{ message: string; detail: string | null } | null>(null);
  const update = useUpdateDatalabelValue(datalabel);
  const deactivate = useDeactivateDatalabelValue(datalabel);
  const activate = useActivateDatalabelValue(datalabel);

  const style = {
    transform: transform ? `translate3d(0, ${String(Math.round(transform.y))}px, 0)` : undefined,
    transition,
    position: 'relative' as const,
    zIndex: isDragging ? 2 : undefined,
    background: isDragging ? 'var(--mantine-color-body)' : undefined,
  };

  const startEdit = () => {
    setDraft(draftOf(value));
    setFieldErrors({});
    setRowError(null);
  };

  const save = () => {
    if (!draft) return;
    const body = labelChanges(value, draft);
    if (!body) {
      setDraft(null);
      return;
    }
    setFieldErrors({});
    setRowError(null);
    update.mutate(
      { key: value.key, body },
      {
        onSuccess: (saved) => {
          setDraft(null);
          notifications.show({ color: 'green', message: `${saved.name} saved.` });
        },
        onError: (error) => {
          const fields = error instanceof ApiError ? error.fieldErrors : {};
          setFieldErrors(fields);
          if (Object.keys(fields).length === 0) setRowError({ message: errorText(error), detail: null });
        },
      },
    );
  };

  const toggleActive = () => {
    setRowError(null);
    const mutation = value.active_flag ? deactivate : activate;
    mutation.mutate(value.key, {
      onSuccess: (saved) =>
        notifications.show({ color: 'green', message: `${saved.name} ${saved.active_flag ? 'reactivated' : 'deactivated'}.` }),
      onError: (error) =>
        setRowError({
          message: errorText(error),
          detail: error instanceof ApiError ? usageSummary(error.details) : null,
        }),
    });
  };

  const editing = draft !== null;
  const busy = update.isPending || deactivate.isPending || activate.isPending;

  return (
    <Table.Tr ref={setNodeRef} style={style} data-label-key={value.key} data-inactive={!value.active_flag || undefined}>
      <Table.Td w={120}>
        {value.active_flag && (
          <Group gap={2} wrap="nowrap">
            <ActionIcon
              ref={setActivatorNodeRef}
              variant="subtle"
              color="gray"
              size="sm"
              {...attributes}
              {...listeners}
              aria-roledescription="sortable"
              aria-label={`Drag ${value.name}`}
              style={{ cursor: 'grab', touchAction: 'none' }}
            >
              <GripVertical size={14} aria-hidden />
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              size="sm"
              aria-label={`Move ${value.name} up`}
              disabled={index === 0 || reordering}
              onClick={() => onStep(value.key, -1)}
            >
              <ArrowUp size={14} aria-hidden />
            </ActionIcon>
            <ActionIcon
              variant="subtle"
              size="sm"
              aria-label={`Move ${value.name} down`}
              disabled={index === activeCount - 1 || reordering}
              onClick={() => onStep(value.key, 1)}
            >
              <ArrowDown size={14} aria-hidden />
            </ActionIcon>
          </Group>
        )}
      </Table.Td>
      <Table.Td w={editing ? 190 : 130}>
        {editing ? (
          <ColorInput
            size="xs"
            label="Colour"
            value={draft.color_code}
            onChange={(color_code) => setDraft({ ...draft, color_code })}
            format="hex"
            swatches={SWATCHES}
            eyeDropperButtonProps={{ 'aria-label': 'Pick a colour from the screen' }}
            error={fieldErrors['color_code']}
            popoverProps={{ withinPortal: true }}
          />
        ) : (
          <Group gap={8} wrap="nowrap">
            <ColorSwatch color={value.color_code} size={18} aria-hidden />
            <Text size="xs" ff="monospace" data-testid="label-colour">
              {value.color_code}
            </Text>
          </Group>
        )}
      </Table.Td>
      <Table.Td data-phone-grow>
        <Stack gap={4}>
          {editing ? (
            <TextInput
              size="xs"
              label="Name"
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
              onKeyDown={(e) => {
                if (e.key === 'Enter') save();
                if (e.key === 'Escape') setDraft(null);
              }}
              error={fieldErrors['name']}
              data-autofocus
              autoFocus
            />
          ) : (
            <Group gap={6}>
              <Text size="sm" fw={500} data-testid="label-name">
                {value.name}
              </Text>
              {value.terminal_flag && (
                <Badge size="xs" variant="outline" color="gray">
                  ends workflow
                </Badge>
              )}
            </Group>
          )}
          {rowError && (
            <Text size="sm" c="red.8" role="alert" data-testid="label-error">
              {rowError.message}
              {rowError.detail ? ` (${rowError.detail})` : ''}
            </Text>
          )}
        </Stack>
      </Table.Td>
      <Table.Td className="pmo-nowrap">
        <Badge size="sm" variant="dot" color={value.active_flag ? 'green' : 'gray'}>
          {value.active_flag ? 'Active' : 'Inactive'}
        </Badge>
      </Table.Td>
      <Table.Td w={220} data-phone-end>
        <Group gap={6} justify="flex-end" wrap="nowrap">
          {editing ? (
            <>
              <Button size="xs" onClick={save} loading={update.isPending}>
                Save
              </Button>
              <Button size="xs" variant="default" onClick={() => setDraft(null)}>
                Cancel
              </Button>
            </>
          ) : (
            <>
              <ActionIcon variant="subtle" aria-label={`Edit ${value.name}`} onClick={startEdit} disabled={busy}>
                <Pencil size={16} aria-hidden />
              </ActionIcon>
              <Button
                size="xs"
                variant="light"
                color={value.active_flag ? 'red' : 'blue'}
                onClick={toggleActive}
                loading={deactivate.isPending || activate.isPending}
                aria-label={`${value.active_flag ? 'Deactivate' : 'Reactivate'} ${value.name}`}
              >
                {value.active_flag ? 'Deactivate' : 'Reactivate'}
              </Button>
            </>
          )}
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}
