import type { DatalabelName } from '@/lib/datalabels';
import { humanize } from '@/lib/format';

/** The datalabels the API manages (the `DatalabelName` enum), in the API's order. */
export const DATALABEL_NAMES = [
  'office_level',
  'business_level',
  'project_stage',
  'task_stage',
  'position_level',
  'opportunity_funnel_stage',
  'industry_sector',
  'acquisition_channel',
  'customer_tier',
  'client_level',
  'client_status',
  'task_priority',
  'task_update_type',
  'wiki_publication_status',
  'form_approval_status',
  'form_submission_status',
] as const satisfies readonly DatalabelName[];

// Fails to compile when the API gains a datalabel this list lacks.
type Missing = Exclude<DatalabelName, (typeof DATALABEL_NAMES)[number]>;
export const allDatalabelsListed: [Missing] extends [never] ? true : Missing = true;

export function isDatalabelName(value: string | undefined): value is DatalabelName {
  return (DATALABEL_NAMES as readonly string[]).includes(value ?? '');
}

export function datalabelTitle(name: string): string {
  return humanize(name);
}
