import { api, unwrap } from '@/lib/api-client';
import {
  type Artifact,
  type CompleteRequest,
  type FileFacts,
  type UploadResponse,
  newVersionRequest,
  sendFile,
  uploadRequest,
} from '../lib/upload';
import { putBytes } from './put-bytes';

/** `POST /api/v1/artifact/upload`: a pending file on a record, and where to send its bytes. */
export async function startUpload(owner: { type: string; id: string }, file: FileFacts): Promise<UploadResponse> {
  return unwrap(await api.POST('/api/v1/artifact/upload', { body: uploadRequest(owner, file) }));
}

/** `POST /api/v1/artifact/{id}/new-version`: the next version of a file, pending. */
export async function startNewVersion(artifactId: string, file: FileFacts): Promise<UploadResponse> {
  return unwrap(
    await api.POST('/api/v1/artifact/{id}/new-version', { params: { path: { id: artifactId } }, body: newVersionRequest(file) }),
  );
}

/** `POST /api/v1/artifact/{id}/complete`: storage is checked and the file becomes available. */
export async function completeUpload(artifactId: string, body: CompleteRequest): Promise<Artifact> {
  return unwrap(await api.POST('/api/v1/artifact/{id}/complete', { params: { path: { id: artifactId } }, body }));
}

/** Start (new file or new version), send the bytes with progress, complete. */
export async function uploadFile(
  start: (file: FileFacts) => Promise<UploadResponse>,
  file: File,
  onProgress: (percent: number) => void,
): Promise<Artifact> {
  const { artifact, upload } = await start(file);
  const body = await sendFile(upload, file, putBytes, onProgress);
  return completeUpload(artifact.id, body);
}
