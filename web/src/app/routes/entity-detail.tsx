import { Center, Loader } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ArtifactVersions } from '@/features/files/components/artifact-versions';
import { UploadFiles } from '@/features/files/components/upload-files';
import { FormSubmissions } from '@/features/forms/components/form-submissions';
import type { ChildTabContext } from '@/features/records/components/child-records';
import { type RecordSectionContext, RecordDetailPage } from '@/features/records/components/record-detail-page';
import { textOf } from '@/lib/format';
import { entityTypesQueryOptions, findType } from '@/lib/registry';
import { NotFoundRoute } from './not-found';

// The records feature renders every type from the registry; files add to two of its places,
// forms to one (a form's page takes and lists its submissions).

/** Records that hold files get "Upload file" in their artifact tab (the API wants Edit on them). */
function childActions({ parent, parentId, parentLevels, child, onChanged }: ChildTabContext) {
  if (child.name !== 'artifact' || !parentLevels.has('edit')) return null;
  return <UploadFiles ownerType={parent.name} ownerId={parentId} onUploaded={onChanged} />;
}

/** An artifact's page lists its versions, each downloadable, and takes a new one. */
function recordSection(context: RecordSectionContext) {
  if (context.type.name === 'form') return formSection(context);
  const { type, record, levels, onChanged } = context;
  if (type.name !== 'artifact') return null;
  const id = textOf(record['id']);
  const root = textOf(record['root_artifact_id']) || id;
  const deleted = record['active_flag'] === false;
  return <ArtifactVersions artifactId={id} rootId={root} canUpload={levels.has('edit') && !deleted} onChanged={onChanged} />;
}

/** A form's page: a new submission (View on the form is enough), and the submissions; Approve and
 * Reject for those who may edit the form (what the API asks). */
function formSection({ record, levels }: RecordSectionContext) {
  const deleted = record['active_flag'] === false;
  return (
    <FormSubmissions
      formId={textOf(record['id'])}
      schema={record['form_schema']}
      canDecide={levels.has('edit') && !deleted}
      canSubmit={!deleted}
    />
  );
}

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
  return (
    <RecordDetailPage
      key={`${type.name}/${id}`}
      type={type}
      types={types.data}
      id={id}
      tab={tab ?? null}
      renderSection={recordSection}
      renderChildActions={childActions}
    />
  );
}
