import { Alert, Button, Center, Group, Loader, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { useState } from 'react';
import type { components } from '@/api/schema';
import { ReferencePicker } from '@/components/ui/reference-picker';
import type { PermissionSummary } from '@/lib/permissions';
import { entityTypesQueryOptions } from '@/lib/registry';
import { useDocumentTitle } from '@/lib/use-document-title';
import { type Grant, useGrants } from '../api/get-grants';
import { EMPTY_FILTER, type GrantFilter, grantListQuery } from '../lib/grant-filter';
import { GrantFormModal } from './grant-form-modal';
import { GrantsTable } from './grants-table';
import { RevokeGrantModal } from './revoke-grant-modal';

type Me = components['schemas']['MeResponse'];

interface Props {
  summary: PermissionSummary;
  me: Me;
}

/** Who may do what: the grants, a form to grant, revoke with confirmation. */
export function PermissionsPage({ summary, me }: Props) {
  useDocumentTitle('Permissions');
  const admin = summary.tenant_admin;
  const types = useQuery(entityTypesQueryOptions());
  const [filter, setFilter] = useState<GrantFilter>(EMPTY_FILTER);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [granting, setGranting] = useState(false);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;
  const grants = useGrants(grantListQuery(filter, { admin, me: me.id, cursor }));

  const change = (patch: Partial<GrantFilter>) => {
    setFilter((prev) => ({ ...prev, ...patch }));
    setCursors([null]);
  };
  const typeList = types.data ?? [];
  const typeLabel = (name: string, plural = false) => {
    const info = typeList.find((t) => t.name === name);
    return info ? (plural ? info.plural_label : info.label) : name;
  };
  const filterType = typeList.find((t) => t.name === filter.entityType);
  const showingOwn = !admin && !(filter.entityType && filter.entityId);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1}>Permissions</Title>
          <Text c="dimmed" size="sm">
            {admin
              ? 'Every grant in the workspace. Grant levels on all records of a type or on one record; revoke what is no longer needed.'
              : 'Your own grants, or the grants on a record you may share. You can grant only levels you hold.'}
          </Text>
        </div>
        <Button leftSection={<Plus size={16} aria-hidden />} onClick={() => setGranting(true)} disabled={!types.data}>
          Grant access
        </Button>
      </Group>

      <Paper withBorder p="sm" radius="md">
        <form aria-label="Filter grants" onSubmit={(e) => e.preventDefault()}>
          <Group align="flex-end" gap="sm">
            {admin && (
              <>
                <Select
                  label="Grantee type"
                  data={[
                    { value: 'employee', label: 'Employee' },
                    { value: 'role', label: 'Role' },
                  ]}
                  value={filter.granteeType}
                  onChange={(v) => change({ granteeType: v, granteeId: null })}
                  clearable
                  placeholder="Any"
                  w={150}
                />
                {filter.granteeType && (
                  <ReferencePicker
                    key={filter.granteeType}
                    label={filter.granteeType === 'role' ? 'Role' : 'Employee'}
                    target={filter.granteeType}
                    value={filter.granteeId}
                    currentName={null}
                    onChange={(granteeId) => change({ granteeId })}
                  />
                )}
              </>
            )}
            <Select
              label="Record type"
              data={typeList.map((t) => ({ value: t.name, label: t.plural_label }))}
              value={filter.entityType}
              onChange={(v) => change({ entityType: v, entityId: null })}
              clearable
              searchable
              placeholder="Any"
              w={200}
            />
            {filterType && (
              <ReferencePicker
                key={filterType.name}
                label={filterType.label}
                target={filterType.name}
                value={filter.entityId}
                currentName={null}
                onChange={(entityId) => change({ entityId })}
                description={admin ? undefined : 'Pick one you may share.'}
              />
            )}
          </Group>
        </form>
      </Paper>

      {showingOwn && (
        <Text size="sm" c="dimmed">
          Showing your own grants. Pick a record type and a record to see who else holds access to it.
        </Text>
      )}

      {grants.isPending ? (
        <Center py="lg">
          <Loader aria-label="Loading grants" />
        </Center>
      ) : grants.isError ? (
        <Alert color="red" role="alert" title="The grants could not be loaded">
          {grants.error.message}
        </Alert>
      ) : grants.data.data.length === 0 ? (
        <Text c="dimmed">No grants match.</Text>
      ) : (
        <GrantsTable grants={grants.data.data} busy={grants.isFetching} typeLabel={typeLabel} onRevoke={setRevoking} />
      )}

      <Group justify="flex-end" gap="xs">
        <Button variant="default" size="xs" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous
        </Button>
        <Button
          variant="default"
          size="xs"
          disabled={!grants.data?.next_cursor}
          onClick={() => {
            const next = grants.data?.next_cursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Next
        </Button>
      </Group>

      <GrantFormModal opened={granting} onClose={() => setGranting(false)} types={typeList} />
      <RevokeGrantModal grant={revoking} typeLabel={typeLabel} onClose={() => setRevoking(null)} />
    </Stack>
  );
}
