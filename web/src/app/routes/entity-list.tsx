import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { RecordsListPage } from '@/features/records/components/records-list-page';
import { entityTypesQueryOptions, findType } from '@/lib/registry';
import { NotFoundRoute } from './not-found';

export function EntityListRoute() {
  const { entity } = useParams();
  const types = useQuery(entityTypesQueryOptions());
  if (types.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const type = findType(types.data, entity);
  if (!type || !types.data) return <NotFoundRoute />;
  // key: a new type is a new page (fresh search, sort and pagination state).
  return <RecordsListPage key={type.name} type={type} types={types.data} />;
}
