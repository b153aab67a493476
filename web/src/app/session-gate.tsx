// The auth boundary: no page behind it renders without a session. On load the session is
// restored from the refresh cookie; when it cannot be renewed the user goes back to sign-in,
// with the page they were on as the return path.
import { Center, Loader } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { onSessionExpired } from '@/lib/api-client';
import { clearSession, getSession, mayHaveSession, refreshSession } from '@/lib/session';
import { useSession } from '@/lib/use-session';
import { paths, signInPath } from '@/lib/paths';

export function SessionGate() {
  const session = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [restoring, setRestoring] = useState(() => session === null && mayHaveSession());

  useEffect(() => {
    if (getSession() !== null || !mayHaveSession()) return;
    let cancelled = false;
    void refreshSession().finally(() => {
      if (!cancelled) setRestoring(false);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    onSessionExpired(() => {
      clearSession();
      queryClient.clear();
      // Requests still in flight may fail too: the first one decides the return path.
      if (window.location.pathname === paths.signIn) return;
      const here = window.location.pathname + window.location.search;
      void navigate(signInPath(here), { replace: true });
    });
  }, [navigate, queryClient]);

  if (session === null && restoring) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading your session" />
      </Center>
    );
  }
  if (session === null) {
    return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  }
  return <Outlet />;
}
