import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '@/lib/api-client';
import type { EntityType } from '@/lib/registry';
import type { BoardParams } from './get-board';
import { recordKeys } from './keys';
import type { EntityRecord, RecordPage } from './paths';
import { updateRecord } from './update-record';
import { textOf } from '@/lib/format';

export interface MoveInput {
  record: EntityRecord;
  field: string;
  key: number;
  keyName: string;
}

/** Replaces one record of a page, by id. */
export function replaceInPage(page: RecordPage | undefined, id: unknown, patch: (r: EntityRecord) => EntityRecord): RecordPage | undefined {
  if (!page) return page;
  return { ...page, data: page.data.map((r) => (r['id'] === id ? patch(r) : r)) };
}

/** Moves a card to another column: shown at once, sent with the version it was read at, and put
 * back where it was when the server refuses (stale version, no permission, validation). */
export function useMoveRecord(type: EntityType, params: BoardParams) {
  const queryClient = useQueryClient();
  const boardKey = recordKeys.board(type, params);
  return useMutation({
    mutationFn: ({ record, field, key }: MoveInput) =>
      updateRecord(type, {
        id: textOf(record['id']),
        version: Number(record['version']),
        changes: { [field]: key },
      }),
    onMutate: async ({ record, field, key, keyName }) => {
      await queryClient.cancelQueries({ queryKey: boardKey, exact: true });
      const before = queryClient.getQueryData<RecordPage>(boardKey);
      queryClient.setQueryData<RecordPage>(boardKey, (page) =>
        replaceInPage(page, record['id'], (r) => ({ ...r, [field]: key, [`${field}_name`]: keyName })),
      );
      return { before };
    },
    onError: (error, { record }, context) => {
      queryClient.setQueryData(boardKey, context?.before);
      const title = (textOf(record['name']) || 'The card');
      notifications.show({
        color: 'red',
        title: `${title} was not moved`,
        message:
          error instanceof ApiError && error.code === 'version_conflict'
            ? 'Someone changed it meanwhile. The board now shows their version.'
            : error.message,
      });
      if (error instanceof ApiError && error.code === 'version_conflict') {
        void queryClient.invalidateQueries({ queryKey: boardKey, exact: true });
      }
    },
    onSuccess: (updated, { record }) => {
      queryClient.setQueryData<RecordPage>(boardKey, (page) => replaceInPage(page, record['id'], () => updated));
      queryClient.setQueryData(recordKeys.detail(type, textOf(record['id'])), updated);
      void queryClient.invalidateQueries({ queryKey: recordKeys.lists(type) });
    },
  });
}
