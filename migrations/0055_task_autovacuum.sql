-- No update of a task is HOT: `updated_ts` is a key of the indexes "newest first" lists read
-- (d_task_updated_ix, d_task_project_ix, d_task_stage_ix), so every update adds an entry to each
-- and leaves the old one dead until a vacuum. Those dead entries sit exactly where such a list
-- starts reading: after 90,000 of them a page of 51 tasks read 740 buffers instead of 52 and took
-- 2.5 ms instead of 0.15 (docs/BENCHMARKS.md). With the default scale factor (20 %) autovacuum
-- waits for 200,000 dead rows at 1M tasks; at 2 % it comes after 20,000.
--
-- Index cleanup is always on: by default a vacuum skips the indexes when fewer than 2 % of the
-- table's pages hold dead rows — exactly the case of one task moved through its stages 50,000
-- times, whose dead versions fill a few pages but put 50,000 dead entries at the head of every
-- newest-first index (a page then read 7,963 buffers after such a vacuum).
ALTER TABLE app.d_task SET (
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_scale_factor = 0.02,
    vacuum_index_cleanup = on
);
