import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Navigate, useParams } from 'react-router';
import { DatalabelManagerPage } from '@/features/datalabels/components/datalabel-manager-page';
import { isDatalabelName } from '@/features/datalabels/lib/datalabel-names';
import { paths } from '@/lib/paths';
import { isTenantAdmin, permissionsQueryOptions } from '@/lib/permissions';
import { NotFoundRoute } from './not-found';

/** Administrators only; anyone else gets the page everyone gets for what they may not see. */
export function DatalabelsRoute() {
  const { datalabel } = useParams();
  const summary = useQuery(permissionsQueryOptions());
  if (summary.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!isTenantAdmin(summary.data)) return <NotFoundRoute />;
  if (datalabel === undefined) return <Navigate to={paths.datalabels('task_stage')} replace />;
  if (!isDatalabelName(datalabel)) return <NotFoundRoute />;
  return <DatalabelManagerPage datalabel={datalabel} />;
}
