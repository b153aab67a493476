-- Creates app.d_wiki (pages) and app.d_wiki_data (append-only content revisions).

CREATE TABLE app.d_wiki (
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
    -- wiki columns
    wiki_type                text     NOT NULL DEFAULT 'page',
    category                 text,
    page_path                text,
    parent_wiki_id           uuid,
    sort_order               integer  NOT NULL DEFAULT 0,
    wiki_publication_status  integer  NOT NULL DEFAULT 0,
    published_ts             timestamptz,
    published_by             uuid,
    visibility               text     NOT NULL DEFAULT 'internal',
    summary                  text,
    keywords                 jsonb    NOT NULL DEFAULT '[]',
    CONSTRAINT d_wiki_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_wiki_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_wiki_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_wiki_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_wiki_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_wiki_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_wiki_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_wiki_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_wiki_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_wiki_version_ck CHECK (version >= 1),
    CONSTRAINT d_wiki_wiki_type_ck CHECK (wiki_type IN ('page', 'template', 'workflow', 'guide', 'policy')),
    CONSTRAINT d_wiki_parent_wiki_fk FOREIGN KEY (tenant_id, parent_wiki_id) REFERENCES app.d_wiki (tenant_id, id),
    CONSTRAINT d_wiki_parent_wiki_ck CHECK (parent_wiki_id <> id),
    CONSTRAINT d_wiki_wiki_publication_status_fk FOREIGN KEY (tenant_id, wiki_publication_status)
        REFERENCES app.setting_datalabel_wiki_publication_status (tenant_id, level_id),
    CONSTRAINT d_wiki_published_by_fk FOREIGN KEY (tenant_id, published_by)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_wiki_visibility_ck CHECK (visibility IN ('public', 'internal', 'restricted', 'private')),
    CONSTRAINT d_wiki_keywords_ck CHECK (jsonb_typeof(keywords) = 'array')
);
COMMENT ON TABLE app.d_wiki IS 'Wiki pages (head). Content lives in d_wiki_data revisions; the newest revision_no is current.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_wiki_updated_ix ON app.d_wiki (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_wiki_name_ix ON app.d_wiki (tenant_id, lower(name), id);

-- Page tree: WHERE tenant_id = $1 AND parent_wiki_id = $2 ORDER BY sort_order, lower(name).
CREATE INDEX d_wiki_parent_ix ON app.d_wiki (tenant_id, parent_wiki_id, sort_order);

CREATE TABLE app.d_wiki_data (
    tenant_id           text         NOT NULL,
    id                  uuid         NOT NULL DEFAULT gen_random_uuid(),
    wiki_id             uuid         NOT NULL,
    revision_no         integer      NOT NULL,
    content_markdown    text         NOT NULL DEFAULT '',
    content_html        text,
    change_summary      text,
    word_count          integer      NOT NULL DEFAULT 0,
    author_employee_id  uuid,
    created_ts          timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT d_wiki_data_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_wiki_data_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_wiki_data_wiki_fk FOREIGN KEY (tenant_id, wiki_id)
        REFERENCES app.d_wiki (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT d_wiki_data_author_fk FOREIGN KEY (tenant_id, author_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    -- Also the index for "current revision" (ORDER BY revision_no DESC LIMIT 1) and history listing.
    CONSTRAINT d_wiki_data_revision_uq UNIQUE (tenant_id, wiki_id, revision_no),
    CONSTRAINT d_wiki_data_revision_no_ck CHECK (revision_no >= 1),
    CONSTRAINT d_wiki_data_word_count_ck CHECK (word_count >= 0)
);
COMMENT ON TABLE app.d_wiki_data IS 'Wiki revisions, append-only. content_html is the app''s sanitised rendering (NULL = render from markdown).';
