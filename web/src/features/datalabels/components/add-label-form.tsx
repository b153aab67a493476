import { Alert, Button, Checkbox, ColorInput, Group, Paper, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ApiError } from '@/lib/api-client';
import type { DatalabelName } from '@/lib/datalabels';
import { useCreateDatalabelValue } from '../api/create-datalabel-value';
import { SWATCHES } from './label-row';

const DEFAULT_COLOUR = '#6B7280';

export function AddLabelForm({ datalabel }: { datalabel: DatalabelName }) {
  const [name, setName] = useState('');
  const [color, setColor] = useState(DEFAULT_COLOUR);
  const [terminal, setTerminal] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useCreateDatalabelValue(datalabel);

  const submit = (event: React.SyntheticEvent) => {
    event.preventDefault();
    setErrors({});
    setFormError(null);
    create.mutate(
      { name: name.trim(), color_code: color.trim() || null, terminal_flag: terminal },
      {
        onSuccess: (created) => {
          setName('');
          setColor(DEFAULT_COLOUR);
          setTerminal(false);
          notifications.show({ color: 'green', message: `${created.name} added.` });
        },
        onError: (error) => {
          const fields = error instanceof ApiError ? error.fieldErrors : {};
          setErrors(fields);
          if (Object.keys(fields).length === 0) setFormError(error.message);
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" radius="md">
      <form onSubmit={submit} noValidate aria-labelledby="add-label-title">
        <Title order={3} size="h5" id="add-label-title" mb="sm">
          Add a label
        </Title>
        {formError && (
          <Alert color="red" role="alert" mb="sm">
            {formError}
          </Alert>
        )}
        <Group align="flex-start" gap="sm">
          <TextInput
            label="New label name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors['name']}
            required
            maxLength={100}
            w={240}
          />
          <ColorInput
            label="New label colour"
            value={color}
            onChange={setColor}
            format="hex"
            swatches={SWATCHES}
            eyeDropperButtonProps={{ 'aria-label': 'Pick a colour from the screen' }}
            error={errors['color_code']}
            w={160}
          />
          <Checkbox
            label="Ends a workflow"
            checked={terminal}
            onChange={(e) => setTerminal(e.currentTarget.checked)}
            mt={32}
          />
          <Button type="submit" mt={24} loading={create.isPending}>
            Add label
          </Button>
        </Group>
      </form>
    </Paper>
  );
}
