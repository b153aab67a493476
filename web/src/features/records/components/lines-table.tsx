import { ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import type { components } from '@/api/schema';
import { textOf } from '@/lib/format';
import { FieldValue } from './field-value';

type LinesInfo = components['schemas']['LinesInfo'];

const HIDDEN = new Set(['id', 'created_ts', 'updated_ts', 'created_by', 'updated_by', 'version']);

/** The lines of a header/line record (order, shipment, invoice), read-only, as the API sent them. */
export function LinesTable({ lines, rows }: { lines: LinesInfo; rows: Record<string, unknown>[] }) {
  const fields = lines.fields.filter((f) => !HIDDEN.has(f.name) && !f.sensitive && rows.some((r) => f.name in r));
  return (
    <Stack gap="xs">
      <Title order={2} size="h4">
        {lines.plural_label}
      </Title>
      {rows.length === 0 ? (
        <Text size="sm" c="dimmed">
          No {lines.plural_label.toLowerCase()}.
        </Text>
      ) : (
        <ScrollArea type="auto" offsetScrollbars>
          <Table withTableBorder striped fz="sm" aria-label={lines.plural_label}>
            <Table.Thead>
              <Table.Tr>
                {fields.map((f) => (
                  <Table.Th key={f.name} className="pmo-nowrap">
                    {f.label}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row, i) => (
                <Table.Tr key={textOf(row['id']) || i}>
                  {fields.map((f) => (
                    <Table.Td key={f.name}>
                      <FieldValue field={f} record={row} compact />
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
    </Stack>
  );
}
