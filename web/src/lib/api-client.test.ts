import { ApiError, authFetch, onSessionExpired, unwrap } from './api-client';
import { getAccessToken, resetSessionForTests, setSession } from './session';

const login = (token: string) => ({
  token,
  refresh_token: 'r',
  token_type: 'Bearer',
  expires_in: 900,
  employee: { id: 'e1', name: 'A', email: 'a@example.com' },
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const url = (path: string) => new URL(path, window.location.origin).href;

describe('authFetch', () => {
  beforeEach(() => {
    resetSessionForTests();
    setSession(login('old'));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends the bearer token', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(200, {}));
    vi.stubGlobal('fetch', fetchMock);
    await authFetch(new Request(url('/api/v1/project')));
    const sent = fetchMock.mock.calls[0]?.[0] as Request;
    expect(sent.headers.get('Authorization')).toBe('Bearer old');
  });

  it('on a 401 refreshes once and repeats the request with the new token', async () => {
    const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
      const request = input instanceof Request ? input : null;
      if (input === '/api/v1/auth/refresh') return json(200, login('new'));
      if (request?.headers.get('Authorization') === 'Bearer new') return json(200, { ok: await request.text() });
      return json(401, { error: { code: 'unauthenticated', message: 'expired' } });
    });
    vi.stubGlobal('fetch', fetchMock);
    const response = await authFetch(new Request(url('/api/v1/project'), { method: 'POST', body: '{"name":"x"}' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: '{"name":"x"}' });
    expect(getAccessToken()).toBe('new');
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('sends the user to sign-in when the refresh fails', async () => {
    const expired = vi.fn();
    onSessionExpired(expired);
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(json(401, { error: { code: 'unauthenticated', message: 'no' } })));
    const response = await authFetch(new Request(url('/api/v1/project')));
    expect(response.status).toBe(401);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(getAccessToken()).toBeNull();
  });

  it('sends a request refused for capacity once more after the pause it asks for', async () => {
    const refused = () =>
      new Response(JSON.stringify({ error: { code: 'service_unavailable', message: 'at capacity' } }), {
        status: 503,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '0' },
      });
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(refused())
      .mockImplementationOnce(async (input: Request) => json(201, { body: await input.text() }));
    vi.stubGlobal('fetch', fetchMock);
    const response = await authFetch(new Request(url('/api/v1/project'), { method: 'POST', body: '{"name":"x"}' }));
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ body: '{"name":"x"}' });
    expect(fetchMock).toHaveBeenCalledTimes(2);

    // Once only; and a 503 without Retry-After (a dependency down) is not repeated at all.
    const twice = vi.fn().mockImplementation(() => Promise.resolve(refused()));
    vi.stubGlobal('fetch', twice);
    expect((await authFetch(new Request(url('/api/v1/project')))).status).toBe(503);
    expect(twice).toHaveBeenCalledTimes(2);
    const down = vi.fn().mockResolvedValue(json(503, { error: { code: 'service_unavailable', message: 'db' } }));
    vi.stubGlobal('fetch', down);
    expect((await authFetch(new Request(url('/api/v1/project')))).status).toBe(503);
    expect(down).toHaveBeenCalledTimes(1);
  });

  it('does not refresh around a failed sign-in', async () => {
    const fetchMock = vi.fn().mockResolvedValue(json(401, { error: { code: 'unauthenticated', message: 'bad password' } }));
    vi.stubGlobal('fetch', fetchMock);
    const response = await authFetch(new Request(url('/api/v1/auth/login'), { method: 'POST', body: '{}' }));
    expect(response.status).toBe(401);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});

describe('ApiError', () => {
  it('reads the envelope, with per-field messages', () => {
    const error = new ApiError(422, {
      code: 'validation_failed',
      message: 'invalid fields',
      details: { fields: { name: 'required', budget: { min: 0 } } },
    });
    expect(error.message).toBe('invalid fields');
    expect(error.code).toBe('validation_failed');
    expect(error.fieldErrors).toEqual({ name: 'required', budget: '{"min":0}' });
  });

  it('copes with answers that are not envelopes', () => {
    const error = new ApiError(502, undefined);
    expect(error.message).toBe('Request failed (502)');
    expect(error.fieldErrors).toEqual({});
  });

  it('unwrap throws the API error and returns data otherwise', () => {
    expect(unwrap({ data: 1, response: new Response(null, { status: 200 }) })).toBe(1);
    expect(() =>
      unwrap({ error: { error: { code: 'not_found', message: 'gone' } }, response: new Response(null, { status: 404 }) }),
    ).toThrow('gone');
  });
});
