import { Select } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { EntityType } from '@/lib/registry';
import { type OptionSource, useEntityOptions } from '@/lib/entity-options';

interface Props {
  label: string;
  target: EntityType;
  value: string | null;
  /** Name of the current value, from the record's `<field>_name`. */
  currentName: string | null;
  onChange: (value: string | null) => void;
  error?: string | undefined;
  required?: boolean;
  description?: string | undefined;
  inPopover?: boolean;
  /** Where the choices come from; by default the `target` records the caller may see. */
  source?: OptionSource;
}

/** A searchable picker of records the caller may see (GET /api/v1/entity/{entity}/options). */
export function ReferencePicker({
  label,
  target,
  value,
  currentName,
  onChange,
  error,
  required,
  description,
  inPopover = false,
  source,
}: Props) {
  const [search, setSearch] = useState('');
  const [opened, setOpened] = useState(false);
  const [debounced] = useDebouncedValue(search, 250);
  const [names, setNames] = useState<Record<string, string>>(
    value && currentName ? { [value]: currentName } : {},
  );
  // Only ask the server once the list is open; the current value's label comes from the record.
  const options = useEntityOptions(source ?? { kind: 'records', target }, debounced, opened);

  const data = (options.data ?? []).map((o) => ({
    value: o.id,
    label: o.code ? `${o.name} (${o.code})` : o.name,
  }));
  if (value && !data.some((d) => d.value === value)) {
    data.unshift({ value, label: names[value] ?? currentName ?? value });
  }

  return (
    <Select
      label={label}
      description={description}
      required={required}
      searchable
      clearable={!required}
      data={data}
      value={value}
      onChange={(next, option) => {
        if (next) setNames((prev) => ({ ...prev, [next]: option?.label ?? next }));
        onChange(next);
      }}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      filter={({ options: all }) => all}
      nothingFoundMessage={options.isFetching ? 'Searching…' : 'Nothing found'}
      error={error}
      comboboxProps={{ withinPortal: !inPopover }}
    />
  );
}
