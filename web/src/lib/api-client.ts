// The one HTTP client: openapi-fetch typed by the generated schema. It adds the bearer token,
// and on a 401 refreshes the session once and repeats the request; if that fails too, it tells
// the auth boundary (onSessionExpired) instead of navigating itself. A request the server refused
// for capacity (503 + Retry-After) is sent once more after the pause it asks for.
import createClient from 'openapi-fetch';
import type { components, paths } from '@/api/schema';
import { getAccessToken, refreshSession } from './session';

export type ErrorBody = components['schemas']['ErrorBody'];

/** An error answer of the API, with the envelope's code, message and per-field messages. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, body: ErrorBody | undefined) {
    super(body?.message ?? `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.code ?? 'http_error';
    this.details = isObject(body?.details) ? body.details : {};
  }

  /** Per-field messages of a 422 (`details.fields`), as strings. */
  get fieldErrors(): Record<string, string> {
    const fields = this.details['fields'];
    if (!isObject(fields)) return {};
    const out: Record<string, string> = {};
    for (const [name, message] of Object.entries(fields)) {
      out[name] = typeof message === 'string' ? message : JSON.stringify(message);
    }
    return out;
  }
}

/** Whether a JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let sessionExpiredHandler: () => void = () => undefined;

/** The auth boundary registers what happens when the session cannot be renewed. */
export function onSessionExpired(handler: () => void): void {
  sessionExpiredHandler = handler;
}

const AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout'];

function withToken(request: Request, token: string | null): Request {
  const next = new Request(request);
  if (token) next.headers.set('Authorization', `Bearer ${token}`);
  return next;
}

/** The longest pause a refused request waits before its one more try. */
const MAX_RETRY_AFTER_SECS = 5;

/**
 * Seconds to wait when the server refused the request at once for want of capacity: a 503 with
 * Retry-After, which the server sends only before any work was done (`http.max_in_flight`), so
 * any method may be sent again. Null for every other answer.
 */
function refusedFor(response: Response): number | null {
  const header = response.headers.get('Retry-After');
  if (response.status !== 503 || header === null) return null;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= MAX_RETRY_AFTER_SECS ? seconds : null;
}

/** Sends a request; if the server refused it for capacity, waits as asked and sends it once more. */
async function send(request: Request, token: string | null): Promise<Response> {
  const spare = request.clone();
  const response = await fetch(withToken(request, token));
  const wait = refusedFor(response);
  if (wait === null) return response;
  await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  return fetch(withToken(spare, token));
}

export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const response = await send(input, getAccessToken());
  const path = new URL(input.url, window.location.origin).pathname;
  if (response.status !== 401 || AUTH_PATHS.includes(path)) return response;
  const renewed = await refreshSession();
  if (!renewed) {
    sessionExpiredHandler();
    return response;
  }
  const second = await send(retry, renewed.token);
  if (second.status === 401) sessionExpiredHandler();
  return second;
}

export const api = createClient<paths>({
  baseUrl: globalThis.location.origin,
  credentials: 'same-origin',
  fetch: authFetch,
});

/** Turns an openapi-fetch result into its data, or throws the API's error. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const envelope = result.error as { error?: ErrorBody } | undefined;
    throw new ApiError(result.response.status, envelope?.error);
  }
  return result.data as T;
}
