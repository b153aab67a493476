-- The per-project name index (migration 0054) also carries each task's name and code, so a picker
-- or a name-sorted list reads a reached project's matches from the index alone. A picker matches
-- `q` against the name and the code: the index held neither (only lower(name)), so every row a
-- branch passed on its way to a page of matches was read from the table as well. For the
-- benchmark's user, `q=inst` over five projects read 547 pages in 4.9 ms; covered, 30 pages in
-- 0.9 ms (docs/BENCHMARKS.md). Rebuilding it takes a few seconds per million tasks, during which
-- task writes wait.
DROP INDEX app.d_task_project_name_ix;
CREATE INDEX d_task_project_name_ix ON app.d_task
    (tenant_id, project_id, active_flag, lower(name), id) INCLUDE (name, code);
