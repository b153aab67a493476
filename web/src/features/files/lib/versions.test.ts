import type { Artifact } from './upload';
import { sortVersions, uploadedAt, versionStatus } from './versions';

const version = (file_version: number, extra: Partial<Artifact> = {}): Artifact => ({
  id: `a${String(file_version)}`,
  code: `ART-${String(file_version)}`,
  name: 'plan.pdf',
  artifact_type: 'document',
  file_name: 'plan.pdf',
  content_type: 'application/pdf',
  upload_status: 'available',
  root_artifact_id: 'a1',
  file_version,
  is_latest_version: false,
  active_flag: true,
  created_ts: '2026-11-26T10:00:00Z',
  updated_ts: '2026-11-26T10:00:00Z',
  uploaded_ts: '2026-11-26T10:01:00Z',
  version: 2,
  ...extra,
});

describe('version chain', () => {
  it('orders newest first and names the status', () => {
    expect(sortVersions([version(1), version(3), version(2)]).map((v) => v.file_version)).toEqual([3, 2, 1]);
    expect(versionStatus(version(1))).toBe('available');
    expect(versionStatus(version(1, { upload_status: 'failed' }))).toBe('failed');
    expect(versionStatus(version(1, { upload_status: 'pending' }))).toBe('pending');
    expect(versionStatus(version(1, { upload_status: 'something new' }))).toBe('pending');
  });

  it('dates a version by its upload, or by its start when it never completed', () => {
    expect(uploadedAt(version(1))).toBe('2026-11-26T10:01:00Z');
    expect(uploadedAt(version(1, { uploaded_ts: null }))).toBe('2026-11-26T10:00:00Z');
  });
});
