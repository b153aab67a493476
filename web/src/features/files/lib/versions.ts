// The version chain of a file as the page shows it. `GET …/versions` answers the bare artifact rows
// (who uploaded is an employee id); the generic list of the chain carries `created_by_name`.
import type { Artifact } from './upload';

/** Uploader names by artifact id, read defensively from the generic list's rows. */
export function uploaderNames(rows: readonly unknown[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue;
    const record = row as Record<string, unknown>;
    const id = record['id'];
    const name = record['created_by_name'];
    if (typeof id === 'string' && typeof name === 'string' && name !== '') names.set(id, name);
  }
  return names;
}

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
