import { Alert, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { AlertCircle, FolderKanban } from 'lucide-react';
import { type SyntheticEvent, useState } from 'react';
import { ApiError } from '@/lib/api-client';
import { useLogin } from '../api/login';

interface Props {
  /** Called once signed in. */
  onSignedIn: () => void;
}

const DEFAULT_TENANT = 'demo';

export function SignInForm({ onSignedIn }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState(DEFAULT_TENANT);
  const login = useLogin();

  const error = login.error instanceof ApiError ? login.error : null;
  const fieldErrors = error?.fieldErrors ?? {};
  // A message that belongs to no single field (wrong password, locked, throttled) goes on top.
  const formError =
    login.error && Object.keys(fieldErrors).length === 0
      ? error?.status === 401
        ? 'The e-mail address or password is not right for this workspace.'
        : login.error.message
      : null;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    login.mutate(
      { email: email.trim(), password, tenant: tenant.trim() || DEFAULT_TENANT },
      { onSuccess: onSignedIn },
    );
  };

  return (
    <Paper withBorder shadow="sm" radius="md" p="xl" w="100%" maw={420}>
      <form onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <Stack gap="md">
          <Stack gap={4} align="center">
            <FolderKanban size={36} aria-hidden color="var(--mantine-color-blue-6)" />
            <Title order={1} size="h3" id="sign-in-title">
              Sign in to PMO
            </Title>
            <Text size="sm" c="dimmed">
              Use the account your organisation gave you.
            </Text>
          </Stack>
          {formError && (
            <Alert color="red" icon={<AlertCircle size={18} />} role="alert" title="Could not sign in">
              {formError}
            </Alert>
          )}
          <TextInput
            label="E-mail"
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={fieldErrors['email']}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={fieldErrors['password']}
          />
          <TextInput
            label="Workspace"
            description="Your organisation's tenant id"
            autoComplete="organization"
            value={tenant}
            onChange={(e) => setTenant(e.currentTarget.value)}
            error={fieldErrors['tenant']}
          />
          <Button type="submit" fullWidth loading={login.isPending}>
            Sign in
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
