import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { PermissionsPage } from '@/features/permissions/components/permissions-page';
import { useMe } from '@/features/auth/api/get-me';
import { canShareSomething, permissionsQueryOptions } from '@/lib/permissions';
import { NotFoundRoute } from './not-found';

/** Administrators and whoever may share something. */
export function PermissionsRoute() {
  const summary = useQuery(permissionsQueryOptions());
  const me = useMe();
  if (summary.isPending || me.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!summary.data || !me.data || !canShareSomething(summary.data)) return <NotFoundRoute />;
  return <PermissionsPage summary={summary.data} me={me.data} />;
}
