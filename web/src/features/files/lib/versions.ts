// The version chain of a file as the page shows it (`GET …/versions`, each row naming its uploader).
import type { Artifact } from './upload';

export type VersionStatus = 'available' | 'pending' | 'failed';

export function versionStatus(version: Pick<Artifact, 'upload_status'>): VersionStatus {
  return version.upload_status === 'available' || version.upload_status === 'failed' ? version.upload_status : 'pending';
}

export const STATUS_LABELS: Record<VersionStatus, string> = {
  available: 'Available',
  pending: 'Not completed',
  failed: 'Failed',
};

/** Newest first, whatever order the answer had. */
export function sortVersions(versions: readonly Artifact[]): Artifact[] {
  return [...versions].sort((a, b) => b.file_version - a.file_version);
}

/** When the version's bytes arrived; the start of the upload for one that never completed. */
export function uploadedAt(version: Pick<Artifact, 'uploaded_ts' | 'created_ts'>): string {
  return version.uploaded_ts ?? version.created_ts;
}
