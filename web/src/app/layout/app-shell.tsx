import { AppShell, Burger, Group, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure, useMediaQuery } from '@mantine/hooks';
import { FolderKanban } from 'lucide-react';
import { useEffect } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { ColorSchemeToggle } from '@/components/ui/color-scheme-toggle';
import { GlobalSearch } from '@/features/search/components/global-search';
import { SidebarNav } from './sidebar-nav';
import { UserMenu } from './user-menu';

export function AppShellLayout() {
  const [mobileOpen, mobile] = useDisclosure(false);
  const location = useLocation();
  // Below the `sm` breakpoint the sidebar is a drawer; closed, it must not be reachable either.
  const isPhone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  const drawerClosed = isPhone && !mobileOpen;

  // Following a link in the drawer closes it.
  useEffect(() => {
    mobile.close();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only on navigation
  }, [location.pathname]);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !mobileOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={mobileOpen}
              onClick={mobile.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={mobileOpen ? 'Close navigation' : 'Open navigation'}
            />
            <UnstyledButton component={Link} to="/" aria-label="PMO home">
              <Group gap={8} wrap="nowrap">
                <FolderKanban size={24} color="var(--mantine-color-blue-6)" aria-hidden />
                <Text fw={700} size="lg" visibleFrom="xs">
                  PMO
                </Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <GlobalSearch />
            <ColorSchemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar aria-label="Main navigation" inert={drawerClosed} style={drawerClosed ? { visibility: 'hidden' } : undefined}>
        <AppShell.Section grow component={ScrollArea} p="xs">
          <SidebarNav />
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
