-- Search and pickers read the instance registry one entity type at a time: global search runs one
-- branch per type the caller may see, each under that type's own visibility, and a picker reads a
-- single type. The three search indexes therefore lead with the entity type (btree_gin supplies
-- the equality operator class inside GIN), so a branch reads only its own type's matches.
--
-- Measured on 1M tasks (docs/BENCHMARKS.md): "boiler" matches 1,250 projects; a user who may see
-- five projects, 13,000 tasks and 1,177 files searched them by rechecking every one of the 1,250
-- against their visibility, and the misspelling fallback computed the trigram similarity of all
-- 1,250 names before discarding them (5.3 ms). Per type, the task and file branches find nothing
-- in the index (0.05-0.3 ms each) and the five projects are probed by id.
--
-- The tenant is not a key: a search reads its own tenant's rows plus other tenants' matches of
-- the same type, which the heap check discards (as before this migration).
--
-- btree_gin is a trusted extension (PostgreSQL 13+), like pg_trgm: the database owner may create it.
SET LOCAL search_path = app, public, pg_catalog;

CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA app;

DROP INDEX app.d_entity_instance_id_name_trgm_ix;
DROP INDEX app.d_entity_instance_id_code_trgm_ix;
DROP INDEX app.d_entity_instance_id_search_ix;

CREATE INDEX d_entity_instance_id_name_trgm_ix ON app.d_entity_instance_id
    USING gin (entity_type, lower(name) gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX d_entity_instance_id_code_trgm_ix ON app.d_entity_instance_id
    USING gin (entity_type, lower(code) gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX d_entity_instance_id_search_ix ON app.d_entity_instance_id
    USING gin (entity_type, search_tsv) WITH (fastupdate = off);
