import { queryOptions, useQuery } from '@tanstack/react-query';
import type { EntityType } from '@/lib/registry';
import { getRecords } from './get-records';
import { type ListParams, recordKeys } from './keys';

/** The most cards a board loads (the API's largest page). */
export const BOARD_LIMIT = 200;

export type BoardParams = Omit<ListParams, 'cursor' | 'limit'>;

export const boardQueryOptions = (type: EntityType, params: BoardParams) =>
  queryOptions({
    queryKey: recordKeys.board(type, params),
    queryFn: ({ signal }) => getRecords(type, { ...params, cursor: null, limit: BOARD_LIMIT }, signal),
  });

export const useBoard = (type: EntityType, params: BoardParams) => useQuery(boardQueryOptions(type, params));
