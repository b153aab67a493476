import { Alert, Button, Checkbox, Group, Modal, Radio, SegmentedControl, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ReferencePicker } from '@/components/ui/reference-picker';
import { ApiError } from '@/lib/api-client';
import type { EntityTypeInfo } from '@/lib/registry';
import { useCreateGrant } from '../api/create-grant';
import { EMPTY_GRANT_FORM, type GrantFormValues, LEVELS, grantRefusal, grantRequestBody } from '../lib/grant-form';

interface Props {
  opened: boolean;
  onClose: () => void;
  types: readonly EntityTypeInfo[];
}

export function GrantFormModal({ opened, onClose, types }: Props) {
  const [values, setValues] = useState<GrantFormValues>(EMPTY_GRANT_FORM);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateGrant();
  const set = (patch: Partial<GrantFormValues>) => setValues((prev) => ({ ...prev, ...patch }));
  const type = types.find((t) => t.name === values.entityType);

  const close = () => {
    setValues(EMPTY_GRANT_FORM);
    setErrors({});
    setFormError(null);
    create.reset();
    onClose();
  };

  const submit = (event: React.SyntheticEvent) => {
    event.preventDefault();
    const { body, errors: local } = grantRequestBody(values);
    setErrors(local);
    setFormError(null);
    if (!body) return;
    create.mutate(body, {
      onSuccess: (grant) => {
        notifications.show({
          color: 'green',
          message: `${grant.grantee_name ?? 'The grantee'} now holds ${grant.levels.join(', ')} on ${grant.entity_name ?? `every ${type?.label.toLowerCase() ?? grant.entity_type}`}.`,
        });
        close();
      },
      onError: (error) => {
        setErrors(error instanceof ApiError ? error.fieldErrors : {});
        setFormError(grantRefusal(error));
      },
    });
  };

  return (
    <Modal opened={opened} onClose={close} title="Grant access" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} noValidate aria-label="Grant access">
        <Stack>
          {formError && (
            <Alert color="red" role="alert" title="Not granted">
              {formError}
            </Alert>
          )}
          <div>
            <Text size="sm" fw={500} mb={4} id="grantee-type-label">
              Grant to
            </Text>
            <SegmentedControl
              aria-labelledby="grantee-type-label"
              value={values.granteeType}
              onChange={(v) => set({ granteeType: v, granteeId: null })}
              data={[
                { value: 'employee', label: 'An employee' },
                { value: 'role', label: 'Everyone in a role' },
              ]}
            />
          </div>
          <ReferencePicker
            key={values.granteeType}
            label={values.granteeType === 'role' ? 'Role' : 'Employee'}
            target={values.granteeType}
            source={{ kind: 'grantees', granteeType: values.granteeType }}
            value={values.granteeId}
            currentName={null}
            onChange={(granteeId) => set({ granteeId })}
            error={errors['grantee_id']}
            required
          />
          <Select
            label="Record type"
            required
            searchable
            data={types.map((t) => ({ value: t.name, label: t.plural_label }))}
            value={values.entityType}
            onChange={(v) => set({ entityType: v, entityId: null })}
            error={errors['entity_type']}
          />
          <Radio.Group
            label="Applies to"
            value={values.scope}
            onChange={(v) => set({ scope: v === 'instance' ? 'instance' : 'all', entityId: null })}
          >
            <Group mt={4}>
              <Radio value="all" label={type ? `Every ${type.label.toLowerCase()}` : 'Every record of the type'} />
              <Radio value="instance" label={type ? `One ${type.label.toLowerCase()}` : 'One record'} />
            </Group>
          </Radio.Group>
          {values.scope === 'instance' && type && (
            <>
              <ReferencePicker
                key={type.name}
                label={type.label}
                target={type.name}
                value={values.entityId}
                currentName={null}
                onChange={(entityId) => set({ entityId })}
                error={errors['entity_id']}
                required
              />
              <Switch
                label="Also its linked records (cascade)"
                description={`Reaches what hangs under this ${type.label.toLowerCase()}, e.g. its tasks.`}
                checked={values.cascade}
                onChange={(e) => set({ cascade: e.currentTarget.checked })}
              />
            </>
          )}
          {values.scope === 'instance' && !type && errors['entity_id'] && (
            <Text size="sm" c="red.8">
              {errors['entity_id']}
            </Text>
          )}
          <Checkbox.Group
            label="Levels"
            description="Any level includes View."
            value={values.levels}
            onChange={(levels) => set({ levels: levels })}
            error={errors['levels']}
            required
          >
            <Group mt={6}>
              {LEVELS.map((l) => (
                <Checkbox key={l.level} value={l.level} label={l.label} />
              ))}
            </Group>
          </Checkbox.Group>
          <TextInput
            type="date"
            label="Expires after"
            description="Optional: the last day the grant holds."
            value={values.expiresOn}
            onChange={(e) => set({ expiresOn: e.currentTarget.value })}
            error={errors['expires_ts']}
            w={220}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Grant
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
