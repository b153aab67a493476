// Uploading a file, without the browser: what to ask the API for, how to cut the file into the
// PUTs its answer describes, how far along the whole upload is, what to confirm it with, and how
// to say what went wrong. The requests themselves are in ../api; the caller injects `put`.
import type { components } from '@/api/schema';
import { ApiError } from '@/lib/api-client';
import { formatBytes } from '@/lib/format';

export type Artifact = components['schemas']['Artifact'];
export type UploadRequest = components['schemas']['UploadRequest'];
export type NewVersionRequest = components['schemas']['NewVersionRequest'];
export type UploadResponse = components['schemas']['UploadResponse'];
export type UploadInstructions = components['schemas']['UploadInstructions'];
export type CompleteRequest = components['schemas']['CompleteRequest'];

/** What the upload needs to know about a file (a `File` has all of it). */
export interface FileFacts {
  name: string;
  /** The browser's media type; '' when it does not know one. */
  type: string;
  size: number;
}

/** Sent when the browser knows no media type (the API refuses an empty one with 422). */
export const FALLBACK_CONTENT_TYPE = 'application/octet-stream';

export function contentTypeOf(file: Pick<FileFacts, 'type'>): string {
  const type = file.type.trim();
  return type === '' ? FALLBACK_CONTENT_TYPE : type;
}

/** `POST /api/v1/artifact/upload`: a new file on a record. */
export function uploadRequest(owner: { type: string; id: string }, file: FileFacts): UploadRequest {
  return {
    entity_type: owner.type,
    entity_id: owner.id,
    file_name: file.name,
    content_type: contentTypeOf(file),
    size_bytes: file.size,
  };
}

/** `POST /api/v1/artifact/{id}/new-version`: the next version of a file. */
export function newVersionRequest(file: FileFacts): NewVersionRequest {
  return { file_name: file.name, content_type: contentTypeOf(file), size_bytes: file.size };
}

/** One PUT of bytes `[start, end)` of the file. `partNumber` is null for a single upload. */
export interface PutStep {
  url: string;
  method: string;
  headers: Record<string, string>;
  start: number;
  end: number;
  partNumber: number | null;
}

/** The answer cannot be followed (a missing URL, parts that do not add up to the file). */
export class UploadPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadPlanError';
  }
}

// Headers a browser sets itself and refuses from scripts (with a console error).
const BROWSER_OWNED_HEADERS = new Set(['content-length', 'host', 'connection', 'expect', 'transfer-encoding']);

/** The headers to send "exactly as given", less those only the browser may set. */
export function requestHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !BROWSER_OWNED_HEADERS.has(name.toLowerCase())));
}

/** The PUTs an upload answer asks for: the whole file once, or each part in order. */
export function planUpload(upload: UploadInstructions, size: number): PutStep[] {
  const method = upload.method || 'PUT';
  const headers = requestHeaders(upload.headers);
  if (upload.mode === 'single') {
    if (!upload.url) throw new UploadPlanError('The server gave no address to send the file to.');
    return [{ url: upload.url, method, headers, start: 0, end: size, partNumber: null }];
  }
  const parts = [...upload.parts].sort((a, b) => a.part_number - b.part_number);
  if (parts.length === 0) throw new UploadPlanError('The server gave no parts to send the file in.');
  const steps: PutStep[] = [];
  let start = 0;
  for (const part of parts) {
    const end = start + part.size_bytes;
    steps.push({ url: part.url, method, headers, start, end, partNumber: part.part_number });
    start = end;
  }
  if (start !== size) {
    throw new UploadPlanError(`The parts cover ${String(start)} bytes, but the file has ${String(size)}.`);
  }
  return steps;
}

/** Whole percent of `total` bytes sent, over every part (each entry: bytes sent of one part). */
export function progressPercent(sentByPart: readonly number[], total: number): number {
  if (total <= 0) return 100;
  const sent = sentByPart.reduce((sum, n) => sum + Math.max(0, n), 0);
  return Math.min(100, Math.max(0, Math.floor((sent / total) * 100)));
}

/** The body of `POST …/complete`: nothing for a single upload, every part's ETag otherwise. */
export function completeRequest(steps: readonly PutStep[], etags: readonly (string | null)[]): CompleteRequest {
  if (steps.every((s) => s.partNumber === null)) return {};
  return {
    parts: steps.map((step, i) => {
      const etag = etags[i];
      if (!etag) {
        throw new UploadPlanError(
          `Storage did not tell the browser the ETag of part ${String(step.partNumber)} (its CORS rules must expose the ETag header).`,
        );
      }
      return { part_number: step.partNumber ?? i + 1, etag };
    }),
  };
}

/** Sends one step's bytes; reports bytes sent so far; answers the ETag header when there is one. */
export type PutBytes = (step: PutStep, body: Blob, onSent: (bytes: number) => void) => Promise<{ etag: string | null }>;

/** Sends the file as the instructions say (parts one after another, progress summed over all of
 * them) and answers the body to complete the upload with. */
export async function sendFile(
  upload: UploadInstructions,
  file: Blob,
  put: PutBytes,
  onProgress: (percent: number) => void,
): Promise<CompleteRequest> {
  const steps = planUpload(upload, file.size);
  const sent = steps.map(() => 0);
  const etags: (string | null)[] = [];
  onProgress(0);
  for (const [i, step] of steps.entries()) {
    const bytes = step.end - step.start;
    const answer = await put(step, file.slice(step.start, step.end), (n) => {
      sent[i] = Math.min(n, bytes);
      onProgress(progressPercent(sent, file.size));
    });
    sent[i] = bytes;
    etags.push(answer.etag);
    onProgress(progressPercent(sent, file.size));
  }
  return completeRequest(steps, etags);
}

/** Storage answered a PUT with an error status (0: the request did not get through). */
export class StorageError extends Error {
  readonly status: number;

  constructor(status: number) {
    super(
      status === 0
        ? 'The file could not be sent: the connection to storage failed.'
        : status === 413
          ? 'Storage refused the file: it is too large.'
          : status === 403
            ? 'Storage refused the file: the upload link has expired or is not valid. Try again.'
            : `Storage refused the file (HTTP ${String(status)}).`,
    );
    this.name = 'StorageError';
    this.status = status;
  }
}

function fieldText(error: ApiError): string {
  const fields = error.fieldErrors;
  const names: Record<string, string> = { file_name: 'File name', content_type: 'File type', size_bytes: 'Size', sha256: 'Checksum' };
  const parts = Object.entries(fields).map(([field, message]) => `${names[field] ?? field}: ${message}`);
  return parts.length > 0 ? parts.join('; ') : error.message;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A sentence for the person who chose the file. */
export function uploadErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 413: {
        const max = error.details['max_upload_bytes'];
        return typeof max === 'number' ? `Too large: files may be at most ${formatBytes(max)}.` : `Too large: ${error.message}.`;
      }
      case 415:
        return `${capitalise(error.message)}.`;
      case 422:
        return `Not accepted: ${fieldText(error)}.`;
      case 403:
        return 'You may not upload files to this record.';
      case 409:
        return `${capitalise(error.message)}.`;
      default:
        return capitalise(error.message);
    }
  }
  if (error instanceof StorageError || error instanceof UploadPlanError) return error.message;
  if (error instanceof Error) return error.message;
  return 'The upload failed.';
}
