import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { RecordDetailPage } from '@/features/records/components/record-detail-page';
import { entityTypesQueryOptions, findType } from '@/lib/registry';
import { NotFoundRoute } from './not-found';

export function EntityDetailRoute() {
  const { entity, id, tab } = useParams();
  const types = useQuery(entityTypesQueryOptions());
  if (types.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const type = findType(types.data, entity);
  if (!type || !types.data || !id) return <NotFoundRoute />;
  return <RecordDetailPage key={`${type.name}/${id}`} type={type} types={types.data} id={id} tab={tab ?? null} />;
}
