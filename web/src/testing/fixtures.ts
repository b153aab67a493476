// Small registry fixtures in the shape GET /api/v1/entity/types answers.
import type { EntityTypeInfo, FieldInfo } from '@/lib/registry';

export function field(name: string, kind: FieldInfo['kind'], extra: Partial<FieldInfo> = {}): FieldInfo {
  return {
    name,
    label: name.replace(/_/g, ' '),
    kind,
    required: false,
    read_only: false,
    filterable: false,
    sortable: false,
    searchable: false,
    sensitive: false,
    min_exclusive: false,
    ...extra,
  };
}

export const projectType: EntityTypeInfo = {
  name: 'project',
  label: 'Project',
  plural_label: 'Projects',
  icon: 'FolderOpen',
  display_order: 50,
  nav_group: 'work',
  title_field: 'name',
  kanban_field: 'project_stage',
  default_sort: { field: 'updated_ts', direction: 'desc' },
  children: [{ name: 'task', label: 'Task', plural_label: 'Tasks', icon: 'CheckSquare', parent_field: null }],
  fields: [
    field('id', { type: 'uuid' }, { read_only: true }),
    field('code', { type: 'text' }, { generated: 'code', sortable: true, searchable: true }),
    field('slug', { type: 'text' }, { generated: 'slug_from_name' }),
    field('name', { type: 'text' }, { required: true, sortable: true, searchable: true }),
    field('project_stage', { type: 'datalabel', datalabel: 'project_stage' }, { filterable: true, sortable: true, datalabel: 'project_stage' }),
    field('budget_allocated', { type: 'money' }, { sortable: true }),
    field('ratio', { type: 'decimal', scale: 3 }),
    field('headcount', { type: 'integer' }),
    field('planned_start_date', { type: 'date' }, { sortable: true, filterable: true }),
    field('manager_employee_id', { type: 'reference', target: 'employee' }, { reference: 'employee', filterable: true }),
    field('descr', { type: 'long_text' }),
    field('tags', { type: 'tags' }, { filterable: true }),
    field('metadata', { type: 'json' }),
    field('urgent', { type: 'boolean' }),
    field('kind', { type: 'enum', values: ['internal', 'client'] }),
    field('secret_pay', { type: 'money' }, { sensitive: true }),
    field('from_ts', { type: 'timestamp' }, { sortable: true }),
    field('updated_ts', { type: 'timestamp' }, { read_only: true, sortable: true }),
    field('version', { type: 'integer' }, { read_only: true }),
  ],
};
