import { clearSession, getAccessToken, getSession, mayHaveSession, refreshDelayMs, refreshSession, resetSessionForTests, setSession, subscribeSession } from './session';

const answer = (token: string, expiresIn = 900) => ({
  token,
  refresh_token: 'r',
  token_type: 'Bearer',
  expires_in: expiresIn,
  employee: { id: 'e1', name: 'James Miller', email: 'james@example.com' },
});

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('refreshDelayMs', () => {
  it('refreshes at 80 % of a long life', () => {
    expect(refreshDelayMs(900)).toBe(720_000); // 15 min token: after 12 min
    expect(refreshDelayMs(86_400)).toBe(69_120_000);
  });

  it('keeps at least 30 s of margin on short tokens', () => {
    expect(refreshDelayMs(60)).toBe(30_000);
    expect(refreshDelayMs(100)).toBe(70_000);
  });

  it('never schedules sooner than 5 s', () => {
    expect(refreshDelayMs(10)).toBe(5_000);
    expect(refreshDelayMs(0)).toBe(5_000);
  });
});

describe('session store', () => {
  beforeEach(() => {
    resetSessionForTests();
    window.localStorage.clear();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('keeps the token in memory only', () => {
    setSession(answer('t1'), 1_000);
    expect(getAccessToken()).toBe('t1');
    expect(getSession()?.expiresAt).toBe(901_000);
    const stored = Object.keys(window.localStorage).map((k) => window.localStorage.getItem(k) ?? '');
    expect(stored.join(' ')).not.toContain('t1');
    expect(mayHaveSession()).toBe(true);
    clearSession();
    expect(getAccessToken()).toBeNull();
    expect(mayHaveSession()).toBe(false);
  });

  it('refreshes by itself before the token expires', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, answer('t2')));
    vi.stubGlobal('fetch', fetchMock);
    setSession(answer('t1', 900));
    await vi.advanceTimersByTimeAsync(719_000);
    expect(fetchMock).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/v1/auth/refresh');
    expect(getAccessToken()).toBe('t2');
  });

  it('shares one refresh between concurrent callers', async () => {
    const fetchMock = vi.fn().mockResolvedValue(jsonResponse(200, answer('t3')));
    vi.stubGlobal('fetch', fetchMock);
    const [a, b] = await Promise.all([refreshSession(), refreshSession()]);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(a?.token).toBe('t3');
    expect(b).toBe(a);
  });

  it('ends the session when the refresh is refused', async () => {
    setSession(answer('t1'));
    const seen: (string | null)[] = [];
    subscribeSession((s) => seen.push(s?.token ?? null));
    vi.stubGlobal('fetch', vi.fn().mockResolvedValue(jsonResponse(401, { error: { code: 'unauthenticated', message: 'no' } })));
    expect(await refreshSession()).toBeNull();
    expect(getSession()).toBeNull();
    expect(seen).toEqual([null]);
  });

  it('keeps the session through a network failure', async () => {
    setSession(answer('t1'));
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('offline')));
    expect((await refreshSession())?.token).toBe('t1');
  });
});
