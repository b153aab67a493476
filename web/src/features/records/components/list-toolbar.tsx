import { Group, MultiSelect, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { Search } from 'lucide-react';
import { useState } from 'react';
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';
import { useDatalabel } from '@/lib/datalabels';

function DatalabelFilter({ field, datalabel, value, onChange }: { field: FieldInfo; datalabel: string; value: string[]; onChange: (v: string[]) => void }) {
  const values = useDatalabel(datalabel);
  if (values.isError) return null; // no settings API: no filter
  return (
    <MultiSelect
      label={field.label}
      placeholder={value.length === 0 ? 'Any' : undefined}
      data={(values.data ?? []).map((v) => ({ value: String(v.key), label: v.name }))}
      value={value}
      onChange={onChange}
      clearable
      w={220}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

interface Props {
  type: EntityTypeInfo;
  q: string;
  onSearch: (q: string) => void;
  filters: Record<string, string[]>;
  onFilter: (field: string, values: string[]) => void;
  children?: React.ReactNode;
}

export function ListToolbar({ type, q, onSearch, filters, onFilter, children }: Props) {
  const [text, setText] = useState(q);
  const search = useDebouncedCallback(onSearch, 300);
  const datalabelFields = type.fields.filter((f) => f.filterable && f.kind.type === 'datalabel');
  const searchable = type.fields.filter((f) => f.searchable).map((f) => f.label.toLowerCase());

  return (
    <Group align="flex-end" gap="sm" wrap="wrap">
      <TextInput
        label="Search"
        placeholder={searchable.length > 0 ? `Search ${searchable.join(', ')}` : 'Search'}
        leftSection={<Search size={16} aria-hidden />}
        value={text}
        onChange={(e) => {
          setText(e.currentTarget.value);
          search(e.currentTarget.value);
        }}
        type="search"
        w={{ base: '100%', xs: 280 }}
      />
      {datalabelFields.map((field) =>
        field.kind.type === 'datalabel' ? (
          <DatalabelFilter
            key={field.name}
            field={field}
            datalabel={field.kind.datalabel}
            value={filters[field.name] ?? []}
            onChange={(values) => onFilter(field.name, values)}
          />
        ) : null,
      )}
      <Group ml="auto" gap="sm">
        {children}
      </Group>
    </Group>
  );
}
