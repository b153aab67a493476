-- Search reads three GIN indexes of the instance registry. With GIN's default fast update, new
-- entries first go to an unsorted pending list that every search scans in full until a vacuum
-- merges it: after 25,000 task creates at 1M rows, the list held ~880 pages and cost each search
-- ~10 ms of its 11 (docs/BENCHMARKS.md). Entries are written directly instead: an insert or rename
-- updates a few posting lists (tens of microseconds), and a search reads only what matches.
ALTER INDEX app.d_entity_instance_id_search_ix SET (fastupdate = off);
ALTER INDEX app.d_entity_instance_id_name_trgm_ix SET (fastupdate = off);
ALTER INDEX app.d_entity_instance_id_code_trgm_ix SET (fastupdate = off);

-- Merge what is already pending (a no-op on a fresh database).
SELECT app_pending.cleaned
  FROM (SELECT gin_clean_pending_list('app.d_entity_instance_id_search_ix'::regclass)
             + gin_clean_pending_list('app.d_entity_instance_id_name_trgm_ix'::regclass)
             + gin_clean_pending_list('app.d_entity_instance_id_code_trgm_ix'::regclass) AS cleaned) app_pending;
