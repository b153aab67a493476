-- Creates app.d_artifact: file metadata with an owner, upload state and a version chain.

CREATE TABLE app.d_artifact (
    tenant_id   text        NOT NULL,
    id          uuid        NOT NULL DEFAULT gen_random_uuid(),
    code        text        NOT NULL,
    slug        text        NOT NULL,
    name        text        NOT NULL,
    descr       text,
    tags        jsonb       NOT NULL DEFAULT '[]',
    metadata    jsonb       NOT NULL DEFAULT '{}',
    active_flag boolean     NOT NULL DEFAULT true,
    from_ts     timestamptz NOT NULL DEFAULT now(),
    to_ts       timestamptz,
    created_ts  timestamptz NOT NULL DEFAULT now(),
    updated_ts  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid,
    updated_by  uuid,
    version     integer     NOT NULL DEFAULT 1,
    -- artifact columns
    artifact_type            text     NOT NULL DEFAULT 'document',
    file_name                text     NOT NULL,
    file_format              text,
    content_type             text     NOT NULL DEFAULT 'application/octet-stream',
    file_size_bytes          bigint,
    sha256                   text,
    storage_key              text     NOT NULL,
    upload_status            text     NOT NULL DEFAULT 'pending',
    uploaded_ts              timestamptz,
    -- owner (also linked owner -> artifact in d_entity_id_map)
    entity_type              app.entity_type,
    entity_id                uuid,
    visibility               text     NOT NULL DEFAULT 'internal',
    security_classification  text     NOT NULL DEFAULT 'general',
    -- version chain: the first upload is its own root; file_version counts uploads in the chain
    root_artifact_id         uuid     NOT NULL,
    file_version             integer  NOT NULL DEFAULT 1,
    is_latest_version        boolean  NOT NULL DEFAULT true,
    CONSTRAINT d_artifact_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_artifact_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_artifact_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_artifact_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_artifact_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_artifact_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_artifact_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_artifact_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_artifact_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_artifact_version_ck CHECK (version >= 1),
    CONSTRAINT d_artifact_root_artifact_fk FOREIGN KEY (tenant_id, root_artifact_id)
        REFERENCES app.d_artifact (tenant_id, id),
    CONSTRAINT d_artifact_artifact_type_ck CHECK (artifact_type IN
        ('document', 'template', 'image', 'video', 'spreadsheet', 'presentation', 'archive', 'other')),
    CONSTRAINT d_artifact_file_name_ck CHECK (char_length(file_name) BETWEEN 1 AND 255),
    CONSTRAINT d_artifact_file_format_ck CHECK (file_format ~ '^[a-z0-9]{1,16}$'),
    CONSTRAINT d_artifact_file_size_bytes_ck CHECK (file_size_bytes >= 0),
    CONSTRAINT d_artifact_sha256_ck CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT d_artifact_storage_key_ck CHECK (starts_with(storage_key, 'tenant_id=' || tenant_id || '/')),
    CONSTRAINT d_artifact_upload_status_ck CHECK (upload_status IN ('pending', 'available', 'failed')),
    CONSTRAINT d_artifact_owner_ck CHECK ((entity_type IS NULL) = (entity_id IS NULL)),
    CONSTRAINT d_artifact_visibility_ck CHECK (visibility IN ('public', 'internal', 'restricted', 'private')),
    CONSTRAINT d_artifact_security_classification_ck CHECK (security_classification IN
        ('general', 'confidential', 'restricted')),
    CONSTRAINT d_artifact_file_version_ck CHECK (file_version >= 1),
    CONSTRAINT d_artifact_storage_key_uq UNIQUE (tenant_id, storage_key),
    CONSTRAINT d_artifact_chain_version_uq UNIQUE (tenant_id, root_artifact_id, file_version)
);
COMMENT ON TABLE app.d_artifact IS 'File metadata. Bytes live in object storage under storage_key. Versions of one file share root_artifact_id.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_artifact_updated_ix ON app.d_artifact (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_artifact_name_ix ON app.d_artifact (tenant_id, lower(name), id);

-- Version history of a file: WHERE tenant_id = $1 AND root_artifact_id = $2 ORDER BY file_version DESC
-- is served by the d_artifact_chain_version_uq index. At most one latest row per chain:
CREATE UNIQUE INDEX d_artifact_chain_latest_uq ON app.d_artifact (tenant_id, root_artifact_id) WHERE is_latest_version;
-- Files of an owner (by the owner columns): WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3
-- AND is_latest_version.
CREATE INDEX d_artifact_owner_ix ON app.d_artifact (tenant_id, entity_type, entity_id) WHERE is_latest_version;
-- Retention job: pending uploads that were never confirmed.
CREATE INDEX d_artifact_pending_ix ON app.d_artifact (created_ts) WHERE upload_status = 'pending';

-- A first upload is the root of its own chain: root_artifact_id defaults to the row's id.
CREATE FUNCTION app.artifact_default_root() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.root_artifact_id := coalesce(NEW.root_artifact_id, NEW.id);
    RETURN NEW;
END
$$;
CREATE TRIGGER d_artifact_default_root BEFORE INSERT ON app.d_artifact
    FOR EACH ROW EXECUTE FUNCTION app.artifact_default_root();
