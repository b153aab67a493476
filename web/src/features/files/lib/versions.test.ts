import type { Artifact } from './upload';
import { sortVersions, uploadedAt, uploaderNames, versionStatus } from './versions';

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
  it('reads uploader names from list rows and skips what it cannot use', () => {
    const names = uploaderNames([
      { id: 'a1', created_by_name: 'James Miller' },
      { id: 'a2', created_by_name: null },
      { id: 3, created_by_name: 'Nobody' },
      null,
      'row',
      { id: 'a4', created_by_name: '' },
    ]);
    expect([...names]).toEqual([['a1', 'James Miller']]);
  });

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
