import { Alert, NavLink, Skeleton, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ShieldCheck, Tags } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { EntityIcon } from '@/lib/icons';
import { paths } from '@/lib/paths';
import { canShareSomething, isTenantAdmin, permissionsQueryOptions } from '@/lib/permissions';
import { NAV_GROUP_LABELS, type NavGroup, entityTypesQueryOptions, groupTypesForNav } from '@/lib/registry';

interface PageLink {
  to: string;
  label: string;
  icon: ReactNode;
}

/** Pages that are not record lists, in the Settings group, for those who may use them. */
function settingsPages(summary: Parameters<typeof isTenantAdmin>[0]): PageLink[] {
  const links: PageLink[] = [];
  if (isTenantAdmin(summary)) {
    links.push({ to: paths.datalabels(), label: 'Datalabels', icon: <Tags size={18} strokeWidth={1.75} aria-hidden /> });
  }
  if (canShareSomething(summary)) {
    links.push({ to: paths.permissions, label: 'Permissions', icon: <ShieldCheck size={18} strokeWidth={1.75} aria-hidden /> });
  }
  return links;
}

export function SidebarNav() {
  const types = useQuery(entityTypesQueryOptions());
  const summary = useQuery(permissionsQueryOptions());
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

  const pages = settingsPages(summary.data);
  const groups = groupTypesForNav(types.data);
  if (pages.length > 0 && !groups.some((g) => g.group === 'settings')) {
    groups.push({ group: 'settings' satisfies NavGroup, types: [] });
  }

  return (
    <nav aria-label="Record types">
      {groups.map(({ group, types: groupTypes }) => (
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
          {group === 'settings' &&
            pages.map((page) => {
              const active = location.pathname.startsWith(page.to);
              return (
                <NavLink
                  key={page.to}
                  component={Link}
                  to={page.to}
                  label={page.label}
                  leftSection={page.icon}
                  active={active}
                  aria-current={active ? 'page' : undefined}
                  styles={{ root: { borderRadius: 'var(--mantine-radius-sm)' } }}
                />
              );
            })}
        </Stack>
      ))}
    </nav>
  );
}
