import { Box, Center, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { ColorSchemeToggle } from '@/components/ui/color-scheme-toggle';
import { isSignedOutState, safeNext } from '@/lib/paths';
import { useDocumentTitle } from '@/lib/use-document-title';
import { useSession } from '@/lib/use-session';

export function SignInRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  useDocumentTitle('Sign in');
  const expired = params.get('next') !== null;
  const session = useSession();
  const [signingIn, setSigningIn] = useState(false);
  const signingOut = isSignedOutState(useLocation().state);

  // Already signed in (another tab, the back button): go where the link pointed — unless signing
  // out brought us here and the session is still ending.
  if (session !== null && !signingIn && !signingOut) return <Navigate to={next} replace />;

  return (
    <Box mih="100vh" bg="var(--mantine-color-body)" style={{ display: 'flex', flexDirection: 'column' }}>
      <Group justify="flex-end" p="md">
        <ColorSchemeToggle />
      </Group>
      <Center component="main" style={{ flex: 1 }} px="md" pb="xl">
        <Box w="100%" maw={420}>
          {expired && (
            <Text size="sm" c="dimmed" ta="center" mb="sm">
              Sign in to continue where you were.
            </Text>
          )}
          <SignInForm
            onSignedIn={() => {
              setSigningIn(true);
              void navigate(next, { replace: true });
            }}
          />
        </Box>
      </Center>
    </Box>
  );
}
