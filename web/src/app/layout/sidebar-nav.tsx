import { Alert, NavLink, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router';
import { EntityIcon } from '@/lib/icons';
import { paths } from '@/lib/paths';
import { NAV_GROUP_LABELS, entityTypesQueryOptions, groupTypesForNav } from '@/lib/registry';

export function SidebarNav() {
  const types = useQuery(entityTypesQueryOptions());
  const location = useLocation();
  const current = location.pathname.split('/')[1] ?? '';

  if (types.isPending) {
    return (
      <Stack gap="xs" aria-busy>
        {Array.from({ length: 8 }, (_, i) => (
          <Skeleton key={i} h={28} />
        ))}
      </Stack>
    );
  }
  if (types.isError) {
    return (
      <Alert color="red" title="Navigation unavailable">
        {types.error.message}
      </Alert>
    );
  }

  return (
    <nav aria-label="Record types">
      {groupTypesForNav(types.data).map(({ group, types: groupTypes }) => (
        <Stack key={group} gap={2} mb="sm" role="group" aria-labelledby={`nav-group-${group}`}>
          <Text id={`nav-group-${group}`} size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="xs" pb={4}>
            {NAV_GROUP_LABELS[group]}
          </Text>
          {groupTypes.map((type) => {
            return (
              <NavLink
                key={type.name}
                component={Link}
                to={paths.list(type.name)}
                label={type.plural_label}
                leftSection={<EntityIcon name={type.icon} size={18} strokeWidth={1.75} aria-hidden />}
                active={current === type.name}
                aria-current={current === type.name ? 'page' : undefined}
                styles={{ root: { borderRadius: 'var(--mantine-radius-sm)' } }}
              />
            );
          })}
        </Stack>
      ))}
    </nav>
  );
}
