// Typed route paths, so links are built in one place.
export const paths = {
  home: '/',
  signIn: '/sign-in',
  list: (type: string) => `/${type}`,
  detail: (type: string, id: string) => `/${type}/${id}`,
  datalabels: (datalabel?: string) => (datalabel ? `/settings/datalabels/${datalabel}` : '/settings/datalabels'),
  permissions: '/settings/permissions',
};

export function signInPath(next?: string): string {
  if (!next || next === '/' || next.startsWith('/sign-in')) return paths.signIn;
  return `${paths.signIn}?next=${encodeURIComponent(next)}`;
}

/** Only same-origin paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return paths.home;
  return next;
}

/** History state of the sign-in page when signing out opened it: the session may still be ending. */
export const signedOutState = { signedOut: true } as const;

export function isSignedOutState(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as { signedOut?: unknown }).signedOut === true;
}
