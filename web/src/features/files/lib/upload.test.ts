import { ApiError } from '@/lib/api-client';
import {
  type PutBytes,
  type PutStep,
  type UploadInstructions,
  StorageError,
  UploadPlanError,
  completeRequest,
  contentTypeOf,
  newVersionRequest,
  planUpload,
  progressPercent,
  sendFile,
  uploadErrorText,
  uploadRequest,
} from './upload';

const single: UploadInstructions = {
  mode: 'single',
  method: 'PUT',
  url: 'http://127.0.0.1:4000/api/v1/storage/local/token',
  headers: { 'Content-Type': 'text/plain' },
  parts: [],
  part_size_bytes: null,
  expires_at: '2026-11-26T14:21:01Z',
  complete_url: '/api/v1/artifact/a1/complete',
};

const multipart = (sizes: number[]): UploadInstructions => ({
  mode: 'multipart',
  method: 'PUT',
  url: null,
  headers: { 'Content-Type': 'application/zip' },
  // Out of order on purpose: parts are sent by their number.
  parts: sizes.map((size_bytes, i) => ({ part_number: i + 1, url: `https://bucket/part-${String(i + 1)}`, size_bytes })).reverse(),
  part_size_bytes: sizes[0] ?? null,
  expires_at: '2026-11-26T14:21:01Z',
  complete_url: '/api/v1/artifact/a1/complete',
});

const apiError = (status: number, code: string, message: string, details?: Record<string, unknown>) =>
  new ApiError(status, { code, message, ...(details ? { details } : {}) });

describe('upload requests', () => {
  it('declares the file on its record, with a media type even when the browser knows none', () => {
    expect(uploadRequest({ type: 'project', id: 'p1' }, { name: 'Plan (v2).pdf', type: 'application/pdf', size: 1234 })).toEqual({
      entity_type: 'project',
      entity_id: 'p1',
      file_name: 'Plan (v2).pdf',
      content_type: 'application/pdf',
      size_bytes: 1234,
    });
    expect(contentTypeOf({ type: '' })).toBe('application/octet-stream');
    expect(contentTypeOf({ type: '  ' })).toBe('application/octet-stream');
    expect(newVersionRequest({ name: 'notes.md', type: '', size: 3 })).toEqual({
      file_name: 'notes.md',
      content_type: 'application/octet-stream',
      size_bytes: 3,
    });
  });
});

describe('planning the PUTs', () => {
  it('sends a single upload whole, with the headers exactly as given', () => {
    expect(planUpload(single, 12)).toEqual([
      { url: single.url, method: 'PUT', headers: { 'Content-Type': 'text/plain' }, start: 0, end: 12, partNumber: null },
    ]);
  });

  it('leaves out the headers only the browser may set', () => {
    const steps = planUpload({ ...single, headers: { 'Content-Type': 'text/plain', 'Content-Length': '12', 'x-amz-checksum-sha256': 'abc' } }, 12);
    expect(steps[0]?.headers).toEqual({ 'Content-Type': 'text/plain', 'x-amz-checksum-sha256': 'abc' });
  });

  it('cuts a multipart upload into its parts, in part order', () => {
    const steps = planUpload(multipart([5, 5, 2]), 12);
    expect(steps.map((s) => [s.partNumber, s.start, s.end, s.url])).toEqual([
      [1, 0, 5, 'https://bucket/part-1'],
      [2, 5, 10, 'https://bucket/part-2'],
      [3, 10, 12, 'https://bucket/part-3'],
    ]);
  });

  it('refuses answers it cannot follow', () => {
    expect(() => planUpload({ ...single, url: null }, 12)).toThrow(UploadPlanError);
    expect(() => planUpload(multipart([]), 12)).toThrow(/no parts/);
    expect(() => planUpload(multipart([5, 5]), 12)).toThrow('The parts cover 10 bytes, but the file has 12.');
  });
});

describe('progress', () => {
  it('sums the bytes sent over every part, in whole percent, never past 100', () => {
    expect(progressPercent([0, 0], 10)).toBe(0);
    expect(progressPercent([5, 0], 10)).toBe(50);
    expect(progressPercent([5, 4], 10)).toBe(90);
    expect(progressPercent([5, 4.99], 10)).toBe(99);
    expect(progressPercent([10, 10], 10)).toBe(100);
    expect(progressPercent([-3], 10)).toBe(0);
    expect(progressPercent([], 0)).toBe(100);
  });
});

describe('completing', () => {
  const steps = (parts: (number | null)[]): PutStep[] =>
    parts.map((partNumber, i) => ({ url: `u${String(i)}`, method: 'PUT', headers: {}, start: i, end: i + 1, partNumber }));

  it('sends nothing for a single upload and every ETag for a multipart one', () => {
    expect(completeRequest(steps([null]), [null])).toEqual({});
    expect(completeRequest(steps([1, 2]), ['"e1"', '"e2"'])).toEqual({
      parts: [
        { part_number: 1, etag: '"e1"' },
        { part_number: 2, etag: '"e2"' },
      ],
    });
  });

  it('says so when storage hid a part ETag', () => {
    expect(() => completeRequest(steps([1, 2]), ['"e1"', null])).toThrow(/ETag of part 2/);
  });
});

describe('sending a file', () => {
  const file = new Blob(['hello world!']); // 12 bytes

  it('puts a single upload once and reports progress up to 100', async () => {
    const seen: { step: PutStep; body: string }[] = [];
    const progress: number[] = [];
    const put: PutBytes = async (step, body, onSent) => {
      seen.push({ step, body: await body.text() });
      onSent(6);
      onSent(12);
      return { etag: null };
    };
    await expect(sendFile(single, file, put, (p) => progress.push(p))).resolves.toEqual({});
    expect(seen.map((s) => s.body)).toEqual(['hello world!']);
    expect(progress).toEqual([0, 50, 100, 100]);
  });

  it('puts each part in order, sums progress over the parts, and completes with their ETags', async () => {
    const bodies: string[] = [];
    const progress: number[] = [];
    const put: PutBytes = async (step, body, onSent) => {
      bodies.push(await body.text());
      onSent(body.size / 2);
      return { etag: `"etag-${String(step.partNumber)}"` };
    };
    const done = await sendFile(multipart([5, 5, 2]), file, put, (p) => progress.push(p));
    expect(bodies).toEqual(['hello', ' worl', 'd!']);
    // Half of part 1 (2.5 of 12), all of it, half of part 2 …: never going backwards.
    expect(progress).toEqual([0, 20, 41, 62, 83, 91, 100]);
    expect(done).toEqual({
      parts: [
        { part_number: 1, etag: '"etag-1"' },
        { part_number: 2, etag: '"etag-2"' },
        { part_number: 3, etag: '"etag-3"' },
      ],
    });
  });

  it('stops at the first refused part', async () => {
    const tried: (number | null)[] = [];
    const put: PutBytes = (step) => {
      tried.push(step.partNumber);
      return step.partNumber === 2 ? Promise.reject(new StorageError(403)) : Promise.resolve({ etag: '"x"' });
    };
    await expect(sendFile(multipart([5, 5, 2]), file, put, () => undefined)).rejects.toThrow(/expired/);
    expect(tried).toEqual([1, 2]);
  });
});

describe('error messages', () => {
  it('explains the API refusals next to the file', () => {
    expect(uploadErrorText(apiError(413, 'payload_too_large', 'files may be at most 104857600 bytes', { max_upload_bytes: 104857600 }))).toBe(
      'Too large: files may be at most 100 MB.',
    );
    expect(uploadErrorText(apiError(413, 'payload_too_large', 'the request body is too large'))).toBe('Too large: the request body is too large.');
    expect(uploadErrorText(apiError(415, 'unsupported_media_type', 'files of type text/html are not accepted'))).toBe(
      'Files of type text/html are not accepted.',
    );
    expect(
      uploadErrorText(
        apiError(422, 'validation_failed', 'the upload is invalid', { fields: { file_name: 'must not contain path separators (/ or \\)' } }),
      ),
    ).toBe('Not accepted: File name: must not contain path separators (/ or \\).');
    expect(uploadErrorText(apiError(422, 'validation_failed', 'the sha256 does not match'))).toBe('Not accepted: the sha256 does not match.');
    expect(uploadErrorText(apiError(403, 'forbidden', 'not permitted'))).toBe('You may not upload files to this record.');
    expect(uploadErrorText(apiError(503, 'unavailable', 'storage is not answering'))).toBe('Storage is not answering');
  });

  it('explains storage failures and everything else', () => {
    expect(uploadErrorText(new StorageError(0))).toMatch(/connection to storage failed/);
    expect(uploadErrorText(new StorageError(413))).toMatch(/too large/);
    expect(uploadErrorText(new StorageError(500))).toBe('Storage refused the file (HTTP 500).');
    expect(uploadErrorText(new UploadPlanError('The server gave no address to send the file to.'))).toBe(
      'The server gave no address to send the file to.',
    );
    expect(uploadErrorText('weird')).toBe('The upload failed.');
  });
});
