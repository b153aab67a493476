import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useRevokeGrant } from '../api/revoke-grant';
import type { Grant } from '../api/get-grants';
import { describeGrant } from '../lib/grant-text';

interface Props {
  grant: Grant | null;
  typeLabel: (type: string, plural?: boolean) => string;
  onClose: () => void;
}

export function RevokeGrantModal({ grant, typeLabel, onClose }: Props) {
  const revoke = useRevokeGrant();
  const close = () => {
    revoke.reset();
    onClose();
  };
  const confirm = () => {
    if (!grant) return;
    revoke.mutate(grant.id, {
      onSuccess: () => {
        notifications.show({ color: 'green', message: 'Access revoked.' });
        close();
      },
    });
  };
  return (
    <Modal opened={grant !== null} onClose={close} title="Revoke access?" closeButtonProps={{ 'aria-label': 'Close' }}>
      {grant && (
        <Stack>
          <Text size="sm">{describeGrant(grant, typeLabel)}</Text>
          <Text size="sm" c="dimmed">
            They lose these levels at once; other grants they hold stay.
          </Text>
          {revoke.isError && (
            <Alert color="red" role="alert" title="Not revoked">
              {revoke.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button color="red" onClick={confirm} loading={revoke.isPending}>
              Revoke
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
