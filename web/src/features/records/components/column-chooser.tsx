import { Button, Checkbox, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { Columns3 } from 'lucide-react';
import type { EntityTypeInfo } from '@/lib/registry';
import { columnCandidates, defaultColumns } from '../lib/columns';

interface Props {
  type: EntityTypeInfo;
  columns: string[];
  onChange: (columns: string[]) => void;
}

export function ColumnChooser({ type, columns, onChange }: Props) {
  const chosen = new Set(columns);
  const toggle = (name: string, on: boolean) => {
    const next = on ? [...columns, name] : columns.filter((c) => c !== name);
    if (next.length > 0) onChange(next);
  };
  return (
    <Popover position="bottom-end" shadow="md" withinPortal trapFocus>
      <Popover.Target>
        <Button variant="default" leftSection={<Columns3 size={16} aria-hidden />}>
          Columns
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Text size="sm" fw={600} mb="xs" id={`columns-${type.name}`}>
          Show columns
        </Text>
        <ScrollArea.Autosize mah={320} type="auto">
          <Stack gap={6} role="group" aria-labelledby={`columns-${type.name}`} pr="sm">
            {columnCandidates(type).map((field) => (
              <Checkbox
                key={field.name}
                label={field.label}
                checked={chosen.has(field.name)}
                disabled={chosen.size === 1 && chosen.has(field.name)}
                onChange={(e) => toggle(field.name, e.currentTarget.checked)}
              />
            ))}
          </Stack>
        </ScrollArea.Autosize>
        <Button variant="subtle" size="xs" mt="sm" onClick={() => onChange(defaultColumns(type))}>
          Reset to default
        </Button>
      </Popover.Dropdown>
    </Popover>
  );
}
