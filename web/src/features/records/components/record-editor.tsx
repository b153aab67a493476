import { Alert, Button, Group, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import { textOf } from '@/lib/format';
import { ApiError } from '@/lib/api-client';
import type { EntityTypeInfo } from '@/lib/registry';
import type { EntityRecord } from '../api/paths';
import { useUpdateRecord } from '../api/update-record';
import { compareVersions, conflictCurrent, reapplyMine } from '../lib/conflict';
import { type FormValue, type FormValues, editableFields, formValuesToBody, recordToFormValues } from '../lib/form-values';
import { FieldValue } from './field-value';
import { RecordForm } from './record-form';

interface Props {
  type: EntityTypeInfo;
  record: EntityRecord;
  onDone: () => void;
}

/** Edit mode of a record: saves only what changed, at the version it was read. */
export function RecordEditor({ type, record, onDone }: Props) {
  const fields = editableFields(type.fields);
  const [base, setBase] = useState<EntityRecord>(record);
  const [values, setValues] = useState<FormValues>(() => recordToFormValues(fields, record));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [theirs, setTheirs] = useState<EntityRecord | null>(null);
  const update = useUpdateRecord(type.name);
  const id = textOf(record['id']);
  const noticeRef = useRef<HTMLDivElement>(null);

  // A refused save is explained at the top of the form: bring it into view.
  useEffect(() => {
    if (theirs || formError) {
      noticeRef.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
      noticeRef.current?.focus({ preventScroll: true });
    }
  }, [theirs, formError]);

  const save = async (event: React.SyntheticEvent) => {
    event.preventDefault();
    const { body, errors: local } = formValuesToBody(fields, values, base);
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    if (Object.keys(body).length === 0) {
      onDone();
      return;
    }
    try {
      await update.mutateAsync({ id, version: Number(base['version']), changes: body });
      setTheirs(null);
      notifications.show({ color: 'green', message: `${type.label} saved.` });
      onDone();
    } catch (error) {
      if (!(error instanceof ApiError)) {
        setFormError('The request failed. Check your connection and try again.');
        return;
      }
      const current = error.code === 'version_conflict' ? conflictCurrent(error.details) : null;
      if (current) {
        setTheirs(current);
        return;
      }
      setErrors(error.fieldErrors);
      setFormError(error.message);
    }
  };

  const reapply = () => {
    if (!theirs) return;
    setValues(reapplyMine(fields, base, values, theirs));
    setBase(theirs);
    setTheirs(null);
  };

  const takeTheirs = () => {
    if (!theirs) return;
    setValues(recordToFormValues(fields, theirs));
    setBase(theirs);
    setTheirs(null);
  };

  const conflicts = theirs ? compareVersions(fields, base, values, theirs) : [];
  const mineAsRecord: Record<string, unknown> = { ...base, ...formValuesToBody(fields, values, base).body };

  return (
    <form onSubmit={(e) => void save(e)} noValidate aria-label={`Edit ${type.label.toLowerCase()}`}>
      <Stack>
        <div ref={noticeRef} tabIndex={-1} style={{ scrollMarginTop: 72, outline: 'none' }} aria-hidden={!theirs && !formError} />
        {theirs && (
          <Alert color="orange" title="Someone else changed this record while you were editing" role="alert" data-testid="conflict">
            <Stack gap="sm">
              <Text size="sm">
                Your changes are not saved. Compare, then re-apply yours on top of their version (you can still adjust them before saving), or take
                their version.
              </Text>
              <Table withTableBorder withColumnBorders fz="sm" verticalSpacing={6}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Field</Table.Th>
                    <Table.Th>Their version (v{textOf(theirs['version'])})</Table.Th>
                    <Table.Th>Yours</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {conflicts.map(({ field, changedByMe, changedByThem }) => (
                    <Table.Tr key={field.name}>
                      <Table.Td fw={600}>
                        {field.label}
                        {changedByMe && changedByThem ? ' (both changed)' : ''}
                      </Table.Td>
                      <Table.Td>
                        <FieldValue field={field} record={theirs} compact />
                      </Table.Td>
                      <Table.Td>{changedByMe ? <FieldValue field={field} record={mineAsRecord} compact /> : <Text size="sm" c="dimmed">unchanged</Text>}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Group>
                <Button size="xs" onClick={reapply}>
                  Re-apply my changes
                </Button>
                <Button size="xs" variant="default" onClick={takeTheirs}>
                  Use their version
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        {formError && (
          <Alert color="red" role="alert" title="Not saved">
            {formError}
          </Alert>
        )}
        <RecordForm
          fields={fields}
          values={values}
          errors={errors}
          record={base}
          onChange={(name: string, value: FormValue) => setValues((prev) => ({ ...prev, [name]: value }))}
        />
        <Group justify="flex-end">
          <Button variant="default" type="button" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending} disabled={theirs !== null}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
