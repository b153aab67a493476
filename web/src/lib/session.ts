// The signed-in session: the access token lives in this module only (never in storage); the
// refresh token is an HttpOnly cookie the browser sends to /api/v1/auth. One refresh at a time,
// scheduled before expiry, and on demand when the API answers 401.
import type { components } from '@/api/schema';

export type LoginResponse = components['schemas']['LoginResponse'];
export type EmployeeSummary = components['schemas']['EmployeeSummary'];

export interface Session {
  token: string;
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number;
  employee: EmployeeSummary;
}

type Listener = (session: Session | null) => void;

let current: Session | null = null;
/** A hint (not a secret) that this browser holds a refresh cookie, so a fresh visitor is sent
 * straight to sign-in instead of first being refused a refresh. */
const HINT_KEY = 'pmo.signed-in';
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<Session | null> | null = null;
const listeners = new Set<Listener>();

/** How long to wait before refreshing a token that lives `expiresInSec` seconds: at 80 % of its
 * life, at least 30 s before it expires, never sooner than 5 s from now. */
export function refreshDelayMs(expiresInSec: number): number {
  const life = expiresInSec * 1000;
  const margin = Math.max(30_000, life * 0.2);
  return Math.max(5_000, life - margin);
}

function setHint(on: boolean): void {
  try {
    if (on) window.localStorage.setItem(HINT_KEY, '1');
    else window.localStorage.removeItem(HINT_KEY);
  } catch {
    /* storage blocked: we simply try the refresh */
  }
}

export function mayHaveSession(): boolean {
  try {
    return window.localStorage.getItem(HINT_KEY) === '1';
  } catch {
    return true;
  }
}

export function getSession(): Session | null {
  return current;
}

export function getAccessToken(): string | null {
  return current?.token ?? null;
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const listener of listeners) listener(current);
}

/** Stores the answer of a login or refresh and schedules the next refresh. */
export function setSession(answer: LoginResponse, now: number = Date.now()): Session {
  current = { token: answer.token, expiresAt: now + answer.expires_in * 1000, employee: answer.employee };
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refreshSession(), refreshDelayMs(answer.expires_in));
  setHint(true);
  emit();
  return current;
}

export function clearSession(): void {
  clearTimeout(refreshTimer);
  refreshTimer = undefined;
  setHint(false);
  if (current === null) return;
  current = null;
  emit();
}

/** Exchanges the refresh cookie for a new access token. Concurrent callers share one request
 * (the refresh token is single-use, so two parallel refreshes would spend it twice). Resolves to
 * null, and clears the session, when the cookie is missing, expired or revoked. */
export function refreshSession(): Promise<Session | null> {
  inFlight ??= (async () => {
    try {
      const response = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      });
      if (!response.ok) {
        clearSession();
        return null;
      }
      return setSession((await response.json()) as LoginResponse);
    } catch {
      // Network failure: keep what we have; the next request decides.
      return current;
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

/** For tests: forget everything, including timers. */
export function resetSessionForTests(): void {
  clearSession();
  inFlight = null;
  listeners.clear();
}
