-- A caller's task grants in the order of their tasks' names, beside 0060's newest-first walk
-- index, so that a picker or a page by name reads a grantee's grants already in that order and
-- stops once it has its page.
--
-- Migration 0060 read them from `d_entity_id_rbac_map_grantee_order_ix` (newest task first) and
-- sorted the name copies in memory, judging a third grantee index not worth its upkeep. Measured
-- since: the picker of the benchmark user (300 task grants, `q=inst`) read all 300 entries and
-- probed the 38 matching tasks, 0.6 ms of its 1.2 ms statement, where the name-ordered walk reads
-- 17 entries and probes 3 (statement 0.6–0.75 ms). Through the server the picker went from
-- 1.48–1.83 to 1.22–1.23 ms at c=1 (the admin's: 0.98–1.10) and from 1,244–1,706 to 1,746–2,030
-- req/s at c=64 (docs/BENCHMARKS.md, session 13). The upkeep: an update of a granted task already
-- changes the walk index's key (its updated_ts copy), so it is never a HOT update and every index
-- of the grant row gets a new entry anyway; this is one more (one granted task's update under
-- pgbench: 0.43–0.51 ms without it, 0.46–0.54 with it, within this machine's noise).

CREATE INDEX d_entity_id_rbac_map_grantee_name_ix ON app.d_entity_id_rbac_map
    (tenant_id, grantee_type, grantee_id, entity_type, target_name_lower, entity_id)
    INCLUDE (expires_ts, target_code_lower)
    WHERE active_flag AND entity_id IS NOT NULL;
