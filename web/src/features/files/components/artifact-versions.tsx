import { Alert, Anchor, Badge, Button, Center, Group, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { Download } from 'lucide-react';
import { Link } from 'react-router';
import { formatBytes, formatTimestamp } from '@/lib/format';
import { paths } from '@/lib/paths';
import { useDownloadFile } from '../api/download-file';
import { fileKeys } from '../api/keys';
import { useVersions } from '../api/get-versions';
import { startNewVersion } from '../api/upload-file';
import { type Artifact, uploadErrorText } from '../lib/upload';
import { STATUS_LABELS, type VersionStatus, sortVersions, uploadedAt, versionStatus } from '../lib/versions';
import { FileUploader } from './file-uploader';

interface Props {
  /** This artifact (any version of the chain). */
  artifactId: string;
  /** The chain's first version; versions are cached under it. */
  rootId: string;
  /** Edit on the file: offer a new version (the API also wants Edit on the record it is attached to). */
  canUpload: boolean;
  /** After a new version completed (the record's own fields changed too). */
  onChanged: () => void;
}

const STATUS_COLOURS: Record<VersionStatus, string> = { available: 'teal', pending: 'gray', failed: 'red' };

function VersionRow({ version, current }: { version: Artifact; current: boolean }) {
  const uploader = version.created_by_name;
  const download = useDownloadFile();
  const status = versionStatus(version);
  const label = `Version ${String(version.file_version)}`;
  return (
    <Paper component="li" withBorder radius="sm" p="sm" aria-label={label} data-version={version.file_version}>
      <Group justify="space-between" align="center" gap="sm" wrap="wrap">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 220px' }}>
          <Group gap="xs" wrap="wrap">
            {current ? (
              <Text fw={700} size="sm">
                {label} <Text span size="xs" c="dimmed" fw={400}>(this page)</Text>
              </Text>
            ) : (
              <Anchor component={Link} to={paths.detail('artifact', version.id)} fw={700} size="sm">
                {label}
              </Anchor>
            )}
            <Badge size="sm" variant="dot" color={STATUS_COLOURS[status]}>
              {STATUS_LABELS[status]}
            </Badge>
            {version.is_latest_version && status === 'available' && (
              <Badge size="sm" variant="outline" color="blue">
                Latest
              </Badge>
            )}
          </Group>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {version.file_name}
          </Text>
          <Text size="xs" c="dimmed">
            {version.file_size_bytes !== null && version.file_size_bytes !== undefined ? `${formatBytes(version.file_size_bytes)} · ` : ''}
            {status === 'available' ? 'uploaded' : 'started'} {formatTimestamp(uploadedAt(version))}
            {uploader ? ` by ${uploader}` : ''}
          </Text>
        </Stack>
        <Button
          variant="default"
          size="xs"
          leftSection={<Download size={14} aria-hidden />}
          disabled={status !== 'available'}
          loading={download.isPending}
          aria-label={`Download version ${String(version.file_version)}`}
          onClick={() =>
            download.mutate(version.id, {
              onError: (error) => notifications.show({ color: 'red', title: 'Not downloaded', message: uploadErrorText(error) }),
            })
          }
        >
          Download
        </Button>
      </Group>
    </Paper>
  );
}

/** The version chain of a file, newest first, each downloadable; and a new version with progress. */
export function ArtifactVersions({ artifactId, rootId, canUpload, onChanged }: Props) {
  const queryClient = useQueryClient();
  const versions = useVersions(rootId);

  const refresh = () => queryClient.invalidateQueries({ queryKey: fileKeys.versions(rootId) });
  const uploaded = () => {
    void refresh();
    onChanged();
  };

  return (
    <Paper withBorder radius="md" p="lg" component="section" aria-labelledby="versions-title">
      <Stack gap="md">
        <Title order={2} size="h4" id="versions-title">
          Versions
        </Title>
        {versions.isPending ? (
          <Center py="md">
            <Loader size="sm" aria-label="Loading the versions" />
          </Center>
        ) : versions.isError ? (
          <Alert color="red" title="The versions could not be loaded">
            {versions.error.message}
          </Alert>
        ) : (
          <Stack gap="xs" component="ul" aria-label="Versions" m={0} p={0} style={{ listStyle: 'none' }}>
            {sortVersions(versions.data).map((version) => (
              <VersionRow
                key={version.id}
                version={version}
                current={version.id === artifactId}
              />
            ))}
          </Stack>
        )}
        {canUpload && (
          <FileUploader
            label="Upload new version"
            multiple={false}
            start={async (file) => {
              const answer = await startNewVersion(artifactId, file);
              void refresh(); // the pending version joins the list while its bytes travel
              return answer;
            }}
            onUploaded={uploaded}
          />
        )}
      </Stack>
    </Paper>
  );
}
