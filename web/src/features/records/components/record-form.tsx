import { SimpleGrid } from '@mantine/core';
import type { FieldInfo } from '@/lib/registry';
import type { FormValue, FormValues } from '../lib/form-values';
import { FieldInput } from './field-input';

interface Props {
  fields: FieldInfo[];
  values: FormValues;
  onChange: (name: string, value: FormValue) => void;
  errors: Record<string, string>;
  /** The record being edited, for reference names. */
  record?: Record<string, unknown> | undefined;
}

const WIDE = new Set(['long_text', 'json', 'tags']);

/** A form generated from registry fields; wide kinds take a whole row. */
export function RecordForm({ fields, values, onChange, errors, record }: Props) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
      {fields.map((field) => {
        const name = record?.[`${field.name}_name`];
        return (
          <div key={field.name} style={WIDE.has(field.kind.type) ? { gridColumn: '1 / -1' } : undefined}>
            <FieldInput
              field={field}
              value={values[field.name] ?? null}
              onChange={(value) => onChange(field.name, value)}
              error={errors[field.name]}
              referenceName={typeof name === 'string' ? name : null}
            />
          </div>
        );
      })}
    </SimpleGrid>
  );
}
