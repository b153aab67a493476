import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '@/lib/api-client';
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';
import type { EntityRecord } from '../api/paths';
import { type FormValue, type FormValues, editableFields, formValuesToBody, recordToFormValues } from '../lib/form-values';
import { RecordForm } from './record-form';

/** Fields of a create form: what a person fills in (server-generated codes and slugs, JSON
 * metadata and the parent link are left to the server). */
export function createFields(type: EntityTypeInfo, parentField?: string | null): FieldInfo[] {
  return editableFields(type.fields).filter(
    (f) => f.kind.type !== 'json' && !f.generated && f.name !== parentField,
  );
}

interface Props {
  type: EntityTypeInfo;
  opened: boolean;
  onClose: () => void;
  /** Sends the body; resolves with the created record. */
  create: (body: Record<string, unknown>) => Promise<EntityRecord>;
  onCreated: (record: EntityRecord) => void;
  parentField?: string | null;
  title?: string;
}

export function CreateRecordModal({ type, opened, onClose, create, onCreated, parentField, title }: Props) {
  const fields = createFields(type, parentField);
  const [values, setValues] = useState<FormValues>(() => recordToFormValues(fields, undefined));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const reset = () => {
    setValues(recordToFormValues(fields, undefined));
    setErrors({});
    setFormError(null);
  };

  const submit = async (event: React.SyntheticEvent) => {
    event.preventDefault();
    const { body, errors: local } = formValuesToBody(fields, values);
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    try {
      const record = await create(body);
      reset();
      onCreated(record);
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(error.fieldErrors);
        setFormError(error.message);
      } else {
        setFormError('The request failed. Check your connection and try again.');
      }
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={() => {
        reset();
        onClose();
      }}
      title={title ?? `New ${type.label.toLowerCase()}`}
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={title ?? `New ${type.label}`}>
        <Stack>
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <RecordForm
            fields={fields}
            values={values}
            errors={errors}
            onChange={(name: string, value: FormValue) => setValues((prev) => ({ ...prev, [name]: value }))}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose} type="button">
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
