import { Avatar, Group, Menu, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { ChevronDown, LogOut } from 'lucide-react';
import { useNavigate } from 'react-router';
import { useMe } from '@/features/auth/api/get-me';
import { useLogout } from '@/features/auth/api/logout';
import { paths, signedOutState } from '@/lib/paths';
import { useSession } from '@/lib/use-session';

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

export function UserMenu() {
  const session = useSession();
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const name = me.data?.name ?? session?.employee.name ?? '';
  const email = me.data?.email ?? session?.employee.email ?? '';

  // Leave first, and end the session only once we are gone: ended while this page still shows,
  // the session gate sends us to sign-in with this page as the return path instead. The
  // navigation is rendered at once (`flushSync`): as a transition it could still be pending when
  // the logout answered on a busy machine. The sign-in page is told it was opened by signing out,
  // or it would send the session that is still ending straight back into the app.
  const signOut = () => {
    void Promise.resolve(navigate(paths.signIn, { replace: true, state: signedOutState, flushSync: true })).then(() =>
      logout.mutate(),
    );
  };

  return (
    <Menu position="bottom-end" width={240} withinPortal>
      <Menu.Target>
        <UnstyledButton data-testid="user-menu">
          <VisuallyHidden>Account menu: </VisuallyHidden>
          <Group gap={6} wrap="nowrap">
            <Avatar size={32} radius="xl" color="blue" aria-hidden>
              {initials(name)}
            </Avatar>
            <Text size="sm" fw={500} maw={160} truncate className="pmo-hide-phone">
              {name}
            </Text>
            <ChevronDown size={14} aria-hidden />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)" truncate>
            {name}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {email}
          </Text>
          {me.data && (
            <Text size="xs" c="dimmed" mt={4}>
              Workspace: <strong>{me.data.tenant}</strong>
              {me.data.tenant_admin ? ' · administrator' : ''}
            </Text>
          )}
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item leftSection={<LogOut size={16} aria-hidden />} onClick={signOut} color="red">
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
