import { Alert, Button, Group, List, Modal, Paper, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { ArchiveRestore, Trash2, X } from 'lucide-react';
import { useState } from 'react';
import { formatInteger, textOf } from '@/lib/format';
import type { EntityTypeInfo } from '@/lib/registry';
import { deleteRecord } from '../api/delete-record';
import { isChildListOf, recordKeys } from '../api/keys';
import type { EntityRecord } from '../api/paths';
import { restoreRecord } from '../api/restore-record';
import { type Outcome, type Selection, runLimited, splitAllowed, summarise } from '../lib/bulk-selection';

/** Requests in flight at once during a bulk action. */
const AT_ONCE = 4;

interface Props {
  type: EntityTypeInfo;
  rows: EntityRecord[];
  selection: Selection;
  /** The deleted view: the action is Restore instead of Delete. */
  deleted: boolean;
  /** Whether the caller may delete (or restore) this row: the same answer the row buttons use. */
  mayAct: (row: EntityRecord) => boolean;
  onDone: () => void;
}

/** "N selected" with Delete selected (or Restore selected in the deleted view), and what the last
 * bulk action came to. */
export function BulkActions({ type, rows, selection, deleted, mayAct, onDone }: Props) {
  const queryClient = useQueryClient();
  const [confirming, confirm] = useDisclosure(false);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<{ message: string; failures: Outcome[] } | null>(null);

  const nameOf = (row: EntityRecord) => textOf(row[type.title_field]) || '(untitled)';
  const idOf = (row: EntityRecord) => textOf(row['id']);
  const split = splitAllowed(selection, rows, idOf, mayAct);
  const noun = (n: number) => (n === 1 ? type.label.toLowerCase() : type.plural_label.toLowerCase());
  const verb = deleted ? 'restored' : 'deleted';

  const run = async () => {
    setRunning(true);
    const targets = split.allowed;
    const outcomes = await runLimited(targets, AT_ONCE, nameOf, (row) =>
      deleted ? restoreRecord(type.name, idOf(row)) : deleteRecord(type.name, idOf(row)),
    );
    for (const row of targets) queryClient.removeQueries({ queryKey: recordKeys.detail(type.name, idOf(row)) });
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: recordKeys.lists(type.name) }),
      queryClient.invalidateQueries({ queryKey: recordKeys.boards(type.name) }),
      queryClient.invalidateQueries({ predicate: isChildListOf(type.name) }),
    ]);
    setResult(summarise(outcomes, verb));
    setRunning(false);
    confirm.close();
    onDone();
  };

  return (
    <>
      {result && (
        <Alert
          color={result.failures.length > 0 ? 'orange' : 'green'}
          title={result.message}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setResult(null)}
          aria-label="Bulk action result"
        >
          {result.failures.length > 0 && (
            <List size="sm" aria-label="Failures">
              {result.failures.map((failure, i) => (
                <List.Item key={`${failure.name}-${i}`}>
                  {failure.name}: {failure.error}
                </List.Item>
              ))}
            </List>
          )}
        </Alert>
      )}
      {selection.length > 0 && (
        <Paper withBorder radius="sm" px="md" py="xs" role="region" aria-label="Bulk actions">
          <Group justify="space-between" gap="sm" wrap="wrap">
            <Group gap="sm">
              <Text size="sm" fw={600}>
                {formatInteger(selection.length)} selected
              </Text>
              {split.refused.length > 0 && (
                <Text size="sm" c="dimmed">
                  {formatInteger(split.refused.length)} cannot be {verb} by you
                </Text>
              )}
            </Group>
            <Group gap="sm">
              <Button variant="default" size="xs" leftSection={<X size={14} aria-hidden />} onClick={onDone}>
                Clear selection
              </Button>
              {deleted ? (
                <Button
                  size="xs"
                  leftSection={<ArchiveRestore size={14} aria-hidden />}
                  disabled={split.allowed.length === 0}
                  loading={running}
                  onClick={() => void run()}
                >
                  Restore selected
                </Button>
              ) : (
                <Button
                  size="xs"
                  color="red"
                  leftSection={<Trash2 size={14} aria-hidden />}
                  disabled={split.allowed.length === 0}
                  onClick={confirm.open}
                >
                  Delete selected
                </Button>
              )}
            </Group>
          </Group>
        </Paper>
      )}
      <Modal
        opened={confirming}
        onClose={confirm.close}
        title={`Delete ${formatInteger(split.allowed.length)} ${noun(split.allowed.length)}?`}
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          <Text size="sm">
            They are hidden from lists and can be restored under “Show deleted”.
            {split.refused.length > 0 && ` ${formatInteger(split.refused.length)} selected ${noun(split.refused.length)} you may not delete stay as they are.`}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close}>
              Cancel
            </Button>
            <Button color="red" loading={running} onClick={() => void run()}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
