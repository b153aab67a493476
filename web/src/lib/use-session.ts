import { useSyncExternalStore } from 'react';
import { type Session, getSession, subscribeSession } from './session';

export function useSession(): Session | null {
  return useSyncExternalStore(subscribeSession, getSession);
}
