import { Badge, Button, Group, Table, Text, VisuallyHidden } from '@mantine/core';
import { formatTimestamp } from '@/lib/format';
import type { Grant } from '../api/get-grants';
import { LEVELS } from '../lib/grant-form';
import { grantTarget } from '../lib/grant-text';

interface Props {
  grants: readonly Grant[];
  busy: boolean;
  typeLabel: (type: string, plural?: boolean) => string;
  onRevoke: (grant: Grant) => void;
}

export function GrantsTable({ grants, busy, typeLabel, onRevoke }: Props) {
  return (
    <Table.ScrollContainer minWidth={760} className="pmo-cards-on-phone">
      <Table verticalSpacing="xs" striped aria-label="Grants" aria-busy={busy}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Grantee</Table.Th>
            <Table.Th>On</Table.Th>
            <Table.Th>Levels</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Granted</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {grants.map((grant) => {
            const grantee = grant.grantee_name ?? grant.grantee_id;
            const target = grantTarget(grant, typeLabel);
            return (
              <Table.Tr key={grant.id} data-grant-id={grant.id}>
                <Table.Td data-phone-full>
                  <Group gap={6}>
                    <Text size="sm" fw={500}>
                      {grantee}
                    </Text>
                    <Badge size="xs" variant="outline" color={grant.grantee_type === 'role' ? 'grape' : 'gray'} style={{ flexShrink: 0 }}>
                      {grant.grantee_type}
                    </Badge>
                  </Group>
                </Table.Td>
                <Table.Td data-phone-full>
                  <Text size="sm">{target}</Text>
                </Table.Td>
                <Table.Td data-phone-full>
                  <Group gap={4}>
                    {LEVELS.filter((l) => grant.levels.includes(l.level)).map((l) => (
                      <Badge key={l.level} size="sm" variant="light">
                        {l.label}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td data-label="Expires">
                  <Text size="sm" span>{grant.expires_ts ? formatTimestamp(grant.expires_ts) : 'Never'}</Text>
                </Table.Td>
                <Table.Td data-label="Granted">
                  <Text size="sm" span>{formatTimestamp(grant.granted_ts)}</Text>
                </Table.Td>
                <Table.Td style={{ textAlign: 'right' }} data-phone-end>
                  <Button size="xs" variant="light" color="red" onClick={() => onRevoke(grant)} aria-label={`Revoke ${grantee} on ${target}`}>
                    Revoke
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
