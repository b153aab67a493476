-- A hash index on the task id, for probing a list of named tasks one by one (the tasks a caller's
-- instance grants name: `permissions::push_parts_source` joins them to `d_task`). A probe through
-- the primary key descends its B-tree — root, inner page, leaf, comparing the tenant's text and
-- the id on each — before reading the row: 1,154 pages for 300 tasks, 1.1 ms. A hash probe reads
-- one bucket page and the row: 601 pages, 0.6 ms (docs/BENCHMARKS.md). The join still tests the
-- tenant on each row it finds, so the index needs no tenant column.
CREATE INDEX d_task_id_hash ON app.d_task USING hash (id);
