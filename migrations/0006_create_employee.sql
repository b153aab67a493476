-- Creates app.d_employee: the people of a tenant, who are also its users (login by e-mail).

CREATE TABLE app.d_employee (
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
    -- employee columns
    -- identity and login
    email                   text        NOT NULL,
    password_hash           text,
    password_changed_ts     timestamptz,
    tenant_admin            boolean     NOT NULL DEFAULT false,
    failed_login_attempts   integer     NOT NULL DEFAULT 0,
    account_locked_until    timestamptz,
    last_login_ts           timestamptz,
    -- person and contact
    first_name              text,
    last_name               text,
    phone                   text,
    mobile                  text,
    emergency_contact_name  text,
    emergency_contact_phone text,
    address_line1 text,
    address_line2 text,
    city          text,
    province      text,
    postal_code   text,
    country       text,
    -- employment
    employee_type           text        NOT NULL DEFAULT 'full-time',
    department              text,
    title                   text,
    hire_date               date,
    termination_date        date,
    manager_employee_id     uuid,
    time_zone               text,
    preferred_language      text        NOT NULL DEFAULT 'en',
    remote_work_eligible    boolean     NOT NULL DEFAULT false,
    citizenship             text,
    security_clearance      text,
    -- sensitive: never in lists; only for callers with Edit on the employee
    government_id_encrypted bytea,
    birth_date              date,
    salary_band             text,
    pay_grade               text,
    CONSTRAINT d_employee_pk PRIMARY KEY (tenant_id, id),
    CONSTRAINT d_employee_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT d_employee_code_uq UNIQUE (tenant_id, code),
    CONSTRAINT d_employee_slug_uq UNIQUE (tenant_id, slug),
    CONSTRAINT d_employee_code_ck CHECK (char_length(code) <= 100 AND btrim(code) <> ''),
    CONSTRAINT d_employee_slug_ck CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,199}$'),
    CONSTRAINT d_employee_name_ck CHECK (char_length(name) <= 500 AND btrim(name) <> ''),
    CONSTRAINT d_employee_tags_ck CHECK (jsonb_typeof(tags) = 'array'
        AND NOT jsonb_path_exists(tags, '$[*] ? (@.type() != "string")')),
    CONSTRAINT d_employee_metadata_ck CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT d_employee_version_ck CHECK (version >= 1),
    CONSTRAINT d_employee_manager_employee_fk FOREIGN KEY (tenant_id, manager_employee_id)
        REFERENCES app.d_employee (tenant_id, id),
    CONSTRAINT d_employee_email_ck CHECK (char_length(email) <= 320 AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT d_employee_password_hash_ck CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
    CONSTRAINT d_employee_failed_login_attempts_ck CHECK (failed_login_attempts >= 0),
    CONSTRAINT d_employee_employee_type_ck CHECK (employee_type IN
        ('full-time', 'part-time', 'contract', 'temporary', 'intern', 'seasonal')),
    CONSTRAINT d_employee_termination_date_ck CHECK (termination_date >= hire_date),
    CONSTRAINT d_employee_manager_ck CHECK (manager_employee_id <> id),
    CONSTRAINT d_employee_preferred_language_ck CHECK (preferred_language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$')
);
COMMENT ON TABLE app.d_employee IS 'Employees = users of a tenant. code is the employee number (EMP-0001). Sensitive: government_id_encrypted, birth_date, salary_band, pay_grade.';

-- List page, default order: WHERE tenant_id = $1 ORDER BY updated_ts DESC, id DESC (keyset on (updated_ts, id)).
CREATE INDEX d_employee_updated_ix ON app.d_employee (tenant_id, updated_ts DESC, id DESC);
-- List page sorted by name: WHERE tenant_id = $1 ORDER BY lower(name), id (keyset on (lower(name), id)).
CREATE INDEX d_employee_name_ix ON app.d_employee (tenant_id, lower(name), id);

-- E-mail is unique per tenant, case-insensitively (login id). Lookup: WHERE tenant_id = $1 AND lower(email) = lower($2).
CREATE UNIQUE INDEX d_employee_email_uq ON app.d_employee (tenant_id, lower(email));
-- Login without a tenant hint: WHERE lower(email) = lower($1) (then pick the tenant; several matches -> ask).
CREATE INDEX d_employee_login_email_ix ON app.d_employee (lower(email));
-- Direct reports: WHERE tenant_id = $1 AND manager_employee_id = $2.
CREATE INDEX d_employee_manager_ix ON app.d_employee (tenant_id, manager_employee_id);
