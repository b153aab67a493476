import { Button, Group, Popover, Stack, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { Pencil } from 'lucide-react';
import { useState } from 'react';
import { textOf } from '@/lib/format';
import { ApiError } from '@/lib/api-client';
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';
import { recordKeys } from '../api/keys';
import type { EntityRecord } from '../api/paths';
import { useUpdateRecord } from '../api/update-record';
import { type FormValue, formValuesToBody, toFormValue } from '../lib/form-values';
import { FieldInput } from './field-input';
import { FieldValue } from './field-value';

/** Kinds that are edited in place in a table cell; the rest need the full form. */
const INLINE_KINDS = new Set(['text', 'integer', 'decimal', 'money', 'date', 'boolean', 'datalabel', 'enum', 'email', 'url', 'phone', 'reference']);

export function isInlineEditable(type: EntityTypeInfo, field: FieldInfo): boolean {
  return !field.read_only && !field.sensitive && field.name !== type.title_field && INLINE_KINDS.has(field.kind.type) && !field.generated;
}

interface Props {
  type: EntityTypeInfo;
  field: FieldInfo;
  record: EntityRecord;
}

/** A table cell that opens a small editor for its one field and saves it with the row's version. */
export function InlineEditCell({ type, field, record }: Props) {
  const [opened, setOpened] = useState(false);
  const [value, setValue] = useState<FormValue>(() => toFormValue(field, record[field.name]));
  const [error, setError] = useState<string | undefined>();
  const update = useUpdateRecord(type.name);
  const queryClient = useQueryClient();
  const rowName = textOf(record[type.title_field]) || type.label;

  const open = () => {
    setValue(toFormValue(field, record[field.name]));
    setError(undefined);
    setOpened(true);
  };

  const save = async (event: React.SyntheticEvent) => {
    event.preventDefault();
    const { body, errors } = formValuesToBody([field], { [field.name]: value }, record);
    if (errors[field.name]) {
      setError(errors[field.name]);
      return;
    }
    if (!(field.name in body)) {
      setOpened(false);
      return;
    }
    try {
      await update.mutateAsync({ id: textOf(record['id']), version: Number(record['version']), changes: body });
      setOpened(false);
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'version_conflict') {
        setOpened(false);
        notifications.show({
          color: 'orange',
          title: `${rowName} changed meanwhile`,
          message: 'The table now shows the latest version. Make your change again if it is still needed.',
        });
        await queryClient.invalidateQueries({ queryKey: recordKeys.lists(type.name) });
        return;
      }
      setError(caught instanceof ApiError ? (caught.fieldErrors[field.name] ?? caught.message) : 'The request failed.');
    }
  };

  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-start" withinPortal trapFocus shadow="md" width={300}>
      <Popover.Target>
        <UnstyledButton onClick={open} className="pmo-inline-cell" aria-haspopup="dialog">
          <VisuallyHidden>{`Edit ${field.label} of ${rowName}: `}</VisuallyHidden>
          <Group gap={6} wrap="nowrap">
            <FieldValue field={field} record={record} compact />
            <Pencil size={12} aria-hidden className="pmo-inline-pencil" />
          </Group>
        </UnstyledButton>
      </Popover.Target>
      <Popover.Dropdown>
        <form onSubmit={(e) => void save(e)} noValidate aria-label={`Edit ${field.label}`}>
          <Stack gap="xs">
            <Text size="xs" c="dimmed" truncate>
              {rowName}
            </Text>
            <FieldInput
              field={field}
              value={value}
              onChange={setValue}
              error={error}
              referenceName={textOf(record[`${field.name}_name`]) || null}
              inPopover
            />
            <Group justify="flex-end" gap="xs">
              <Button size="xs" variant="default" type="button" onClick={() => setOpened(false)}>
                Cancel
              </Button>
              <Button size="xs" type="submit" loading={update.isPending}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Popover.Dropdown>
    </Popover>
  );
}
