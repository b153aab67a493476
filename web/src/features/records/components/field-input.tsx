import { Checkbox, NumberInput, Select, TagsInput, TextInput, Textarea } from '@mantine/core';
import { humanize, textOf } from '@/lib/format';
import type { FieldInfo } from '@/lib/registry';
import { useDatalabel } from '@/lib/datalabels';
import type { FormValue } from '../lib/form-values';
import { ReferencePicker } from '@/components/ui/reference-picker';

interface Props {
  field: FieldInfo;
  value: FormValue;
  onChange: (value: FormValue) => void;
  error?: string | undefined;
  /** Display name of a reference's current value (`<field>_name` of the record). */
  referenceName?: string | null;
  /** Inside a popover: drop-downs must render in place, or picking closes the popover. */
  inPopover?: boolean;
}

function DatalabelSelect({ field, datalabel, value, onChange, error, inPopover }: Props & { datalabel: string }) {
  const values = useDatalabel(datalabel);
  const data = (values.data ?? [])
    .filter((v) => v.active_flag || String(v.key) === value)
    .map((v) => ({ value: String(v.key), label: v.name }));
  return (
    <Select
      label={field.label}
      required={field.required}
      clearable={!field.required}
      data={data}
      value={typeof value === 'string' ? value : null}
      onChange={(next) => onChange(next)}
      error={error ?? (values.isError ? 'Could not load the choices.' : undefined)}
      placeholder={values.isPending ? 'Loading…' : 'Choose…'}
      comboboxProps={{ withinPortal: !inPopover }}
    />
  );
}

export function FieldInput(props: Props) {
  const { field, value, onChange, error, referenceName, inPopover = false } = props;
  const kind = field.kind;
  const common = {
    label: field.label,
    required: field.required,
    error,
    name: field.name,
  };
  const text = typeof value === 'string' ? value : value === null ? '' : textOf(value);

  switch (kind.type) {
    case 'long_text':
      return <Textarea {...common} autosize minRows={3} maxRows={12} value={text} onChange={(e) => onChange(e.currentTarget.value)} maxLength={field.max_length ?? undefined} />;
    case 'json':
      return (
        <Textarea
          {...common}
          autosize
          minRows={3}
          maxRows={12}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
      );
    case 'integer':
      return (
        <NumberInput
          {...common}
          allowDecimal={false}
          value={typeof value === 'number' ? value : text}
          min={field.min ?? undefined}
          max={field.max ?? undefined}
          onChange={(next) => onChange(next === '' ? '' : typeof next === 'number' ? next : Number(next))}
        />
      );
    case 'decimal':
    case 'money':
      return (
        <TextInput
          {...common}
          inputMode="decimal"
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
          rightSection={kind.type === 'money' ? '$' : undefined}
        />
      );
    case 'boolean':
      return (
        <Checkbox
          label={field.label}
          name={field.name}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
          mt="lg"
        />
      );
    case 'date':
      return <TextInput {...common} type="date" value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'timestamp':
      return <TextInput {...common} type="datetime-local" value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'datalabel':
      return <DatalabelSelect {...props} datalabel={kind.datalabel} />;
    case 'enum':
      return (
        <Select
          {...common}
          clearable={!field.required}
          data={kind.values.map((v) => ({ value: v, label: humanize(v) }))}
          value={typeof value === 'string' ? value : null}
          onChange={(next) => onChange(next)}
          comboboxProps={{ withinPortal: !inPopover }}
        />
      );
    case 'reference':
      return (
        <ReferencePicker
          label={field.label}
          required={field.required}
          target={kind.target}
          value={typeof value === 'string' && value !== '' ? value : null}
          currentName={referenceName ?? null}
          onChange={onChange}
          error={error}
          inPopover={inPopover}
        />
      );
    case 'tags':
      return (
        <TagsInput
          {...common}
          value={Array.isArray(value) ? value : []}
          onChange={(next) => onChange(next)}
          placeholder="Type and press Enter"
          clearable
        />
      );
    case 'email':
      return <TextInput {...common} type="email" value={text} onChange={(e) => onChange(e.currentTarget.value)} maxLength={field.max_length ?? undefined} />;
    case 'url':
      return <TextInput {...common} type="url" value={text} onChange={(e) => onChange(e.currentTarget.value)} maxLength={field.max_length ?? undefined} />;
    case 'phone':
      return <TextInput {...common} type="tel" value={text} onChange={(e) => onChange(e.currentTarget.value)} maxLength={field.max_length ?? undefined} />;
    default:
      return <TextInput {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)} maxLength={field.max_length ?? undefined} />;
  }
}
