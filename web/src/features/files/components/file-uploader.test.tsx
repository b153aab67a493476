import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '@/lib/api-client';
import { renderWithProviders } from '@/testing/render';
import type { Artifact, FileFacts, UploadResponse } from '../lib/upload';
import { FileUploader } from './file-uploader';

const artifact: Artifact = {
  id: 'a1',
  code: 'ART-1',
  name: 'notes.txt',
  artifact_type: 'document',
  file_name: 'notes.txt',
  content_type: 'text/plain',
  upload_status: 'pending',
  root_artifact_id: 'a1',
  file_version: 1,
  is_latest_version: true,
  active_flag: true,
  created_ts: '2026-11-26T10:00:00Z',
  updated_ts: '2026-11-26T10:00:00Z',
  version: 1,
};

const answer: UploadResponse = {
  artifact,
  upload: {
    mode: 'single',
    method: 'PUT',
    url: 'http://localhost/api/v1/storage/local/token',
    headers: { 'Content-Type': 'text/plain' },
    parts: [],
    expires_at: '2026-11-26T10:15:00Z',
    complete_url: '/api/v1/artifact/a1/complete',
  },
};

/** Stands in for the browser's XMLHttpRequest: reports half the bytes, then the rest, then 200. */
class FakeXhr {
  static sent: { method: string; url: string; headers: Record<string, string>; size: number }[] = [];
  upload: { onprogress: ((event: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  private request = { method: '', url: '', headers: {} as Record<string, string> };

  open(method: string, url: string) {
    this.request = { method, url, headers: {} };
  }
  setRequestHeader(name: string, value: string) {
    this.request.headers[name] = value;
  }
  getResponseHeader() {
    return null;
  }
  send(body: Blob) {
    FakeXhr.sent.push({ ...this.request, size: body.size });
    setTimeout(() => {
      this.upload.onprogress?.({ loaded: body.size / 2 });
      this.status = 200;
      this.onload?.();
    }, 0);
  }
}

describe('FileUploader', () => {
  beforeEach(() => {
    FakeXhr.sent = [];
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends each file, shows it uploaded, and puts an API refusal next to its file', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const completes: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((request: Request) => {
        completes.push(`${request.method} ${new URL(request.url).pathname}`);
        return Promise.resolve(
          new Response(JSON.stringify({ ...artifact, upload_status: 'available' }), { status: 200, headers: { 'Content-Type': 'application/json' } }),
        );
      }),
    );
    const start = vi.fn((file: FileFacts) =>
      file.name.endsWith('.html')
        ? Promise.reject(new ApiError(415, { code: 'unsupported_media_type', message: 'files of type text/html are not accepted' }))
        : Promise.resolve(answer),
    );
    const onUploaded = vi.fn();
    const { container } = renderWithProviders(<FileUploader label="Upload file" multiple start={start} onUploaded={onUploaded} />);

    const input = container.querySelector<HTMLInputElement>('input[type="file"]');
    if (!input) throw new Error('no file input');
    await userEvent.setup().upload(input, [
      new File(['hello world!'], 'notes.txt', { type: 'text/plain' }),
      new File(['<p>x</p>'], 'page.html', { type: 'text/html' }),
    ]);

    await waitFor(() => expect(onUploaded).toHaveBeenCalledWith(expect.objectContaining({ upload_status: 'available' })));
    expect(await screen.findByText(/Uploaded$/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Upload of notes.txt' })).toHaveAttribute('aria-valuenow', '100');
    expect(await screen.findByText('Files of type text/html are not accepted.')).toBeInTheDocument();
    expect(start.mock.calls.map(([file]) => file.name)).toEqual(['notes.txt', 'page.html']);
    expect(FakeXhr.sent).toEqual([
      { method: 'PUT', url: 'http://localhost/api/v1/storage/local/token', headers: { 'Content-Type': 'text/plain' }, size: 12 },
    ]);
    expect(completes).toEqual(['POST /api/v1/artifact/a1/complete']);
    expect(onUploaded).toHaveBeenCalledTimes(1);
  });
});
