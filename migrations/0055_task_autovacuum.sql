-- No update of a task is HOT: `updated_ts` is a key of the indexes "newest first" lists read
-- (d_task_updated_ix, d_task_project_ix, d_task_stage_ix), so every update adds an entry to each
-- and leaves the old one dead until a vacuum. Those dead entries sit exactly where such a list
-- starts reading: after 90,000 of them a page of 51 tasks read 740 buffers instead of 52 and took
-- 2.5 ms instead of 0.15 (docs/BENCHMARKS.md). With the default scale factor (20 %) autovacuum
-- waits for 200,000 dead rows at 1M tasks; at 2 % it comes after 20,000.
ALTER TABLE app.d_task SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
