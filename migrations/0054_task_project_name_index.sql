-- A project's tasks in name order: what a name-sorted list or a picker (options) reads per reached
-- project for a caller who sees a few projects' tasks among a million (`permissions::VisibleParts`,
-- docs/BENCHMARKS.md). Each branch stops after a page of matches, so a picker costs at most the
-- visible rows instead of the task table read in name order until enough visible ones turn up.
-- WHERE tenant_id = $1 AND project_id = $2 AND active_flag = $3 ORDER BY lower(name), id
CREATE INDEX d_task_project_name_ix ON app.d_task (tenant_id, project_id, active_flag, lower(name), id);
