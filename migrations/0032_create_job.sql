-- Creates app.job: the durable background job queue (claimed with FOR UPDATE SKIP LOCKED).

CREATE TABLE app.job (
    id            bigint       GENERATED ALWAYS AS IDENTITY,
    queue         text         NOT NULL DEFAULT 'default',
    kind          text         NOT NULL,
    tenant_id     text,
    payload       jsonb        NOT NULL DEFAULT '{}',
    run_at        timestamptz  NOT NULL DEFAULT now(),
    attempts      integer      NOT NULL DEFAULT 0,
    max_attempts  integer      NOT NULL DEFAULT 5,
    status        text         NOT NULL DEFAULT 'queued',
    last_error    text,
    locked_by     text,
    locked_ts     timestamptz,
    dedupe_key    text,
    created_ts    timestamptz  NOT NULL DEFAULT now(),
    updated_ts    timestamptz  NOT NULL DEFAULT now(),
    finished_ts   timestamptz,
    CONSTRAINT job_pk PRIMARY KEY (id),
    CONSTRAINT job_tenant_fk FOREIGN KEY (tenant_id) REFERENCES app.d_tenant (id),
    CONSTRAINT job_status_ck CHECK (status IN ('queued', 'running', 'done', 'dead')),
    CONSTRAINT job_attempts_ck CHECK (attempts >= 0 AND max_attempts >= 1),
    CONSTRAINT job_kind_ck CHECK (kind ~ '^[a-z][a-z0-9_.]*$'),
    CONSTRAINT job_queue_ck CHECK (queue ~ '^[a-z][a-z0-9_]*$'),
    CONSTRAINT job_running_ck CHECK (status <> 'running' OR locked_ts IS NOT NULL)
);
COMMENT ON TABLE app.job IS 'Job queue. tenant_id NULL = system job (backups, cleanups).';

-- Claim: SELECT id FROM app.job WHERE queue = $1 AND status = 'queued' AND run_at <= now()
-- ORDER BY run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED.
CREATE INDEX job_claim_ix ON app.job (queue, run_at, id) WHERE status = 'queued';
-- Reaper: running jobs whose worker died: WHERE status = 'running' AND locked_ts < now() - $1.
CREATE INDEX job_running_ix ON app.job (locked_ts) WHERE status = 'running';
-- Cleanup of finished jobs: WHERE status IN ('done','dead') AND finished_ts < $1.
CREATE INDEX job_finished_ix ON app.job (finished_ts) WHERE status IN ('done', 'dead');
-- At most one pending/running job per dedupe key (e.g. the daily backup across several instances):
-- INSERT ... ON CONFLICT (queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('queued','running') DO NOTHING.
CREATE UNIQUE INDEX job_dedupe_uq ON app.job (queue, dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status IN ('queued', 'running');
