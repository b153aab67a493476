//! `pmo bench generate`: a large, deterministic tenant built inside PostgreSQL with set-based
//! inserts (no row-by-row round trips), in ONE transaction so an interrupted run leaves nothing.
//!
//! Shape: a few huge projects and many small ones (task → project follows a power law), one
//! assignee per task, artifacts under tasks, and grants mixed across `all`, instance, cascade and
//! role grants. The benchmark user is a non-admin whose visibility comes from instance, role and
//! cascade grants only.

use std::time::Instant;

use anyhow::Context;
use sqlx::{AssertSqlSafe, PgPool};

use crate::auth::password;
use crate::tenancy::{self, NewEmployee, NewTenant};

/// Sizes of the generated tenant. Defaults meet SPEC §9.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub tasks: i64,
    pub projects: i64,
    pub employees: i64,
    pub clients: i64,
    pub artifacts: i64,
    pub grants: i64,
}

impl Default for Sizes {
    fn default() -> Self {
        Sizes {
            tasks: 1_000_000,
            projects: 10_000,
            employees: 5_000,
            clients: 2_000,
            artifacts: 100_000,
            grants: 100_000,
        }
    }
}

pub struct GenerateOptions {
    pub tenant: String,
    pub sizes: Sizes,
    /// Seeds PostgreSQL's random(): the same seed gives the same tenant.
    pub seed: f64,
    /// Drop an existing tenant of that name first.
    pub force: bool,
    /// Password of every generated account.
    pub password: String,
}

/// The accounts the benchmark signs in with.
pub const BENCH_USER_LOCAL: &str = "bench.user";
pub const BENCH_ADMIN_LOCAL: &str = "bench.admin";

pub fn bench_email(local: &str, tenant: &str) -> String {
    format!("{local}@{tenant}.bench")
}

/// One generation step: a label and the SQL it runs (`$1` is the tenant; sizes are bound too).
struct Step {
    label: &'static str,
    sql: &'static str,
}

/// The steps, in order. `:tasks` etc. are replaced by bound parameters through `sizes_cte`.
const STEPS: &[Step] = &[
    Step {
        label: "offices, businesses, roles",
        sql: "INSERT INTO app.d_office (tenant_id, id, code, slug, name, office_level)
              SELECT $1, md5($1 || '/office/' || i)::uuid, 'OFC-' || i, 'office-' || i, 'Office ' || i, 0
              FROM generate_series(1, 20) i;
              INSERT INTO app.d_business (tenant_id, id, code, slug, name, business_level)
              SELECT $1, md5($1 || '/business/' || i)::uuid, 'BIZ-' || i, 'business-' || i, 'Business unit ' || i, 0
              FROM generate_series(1, 50) i;
              INSERT INTO app.d_role (tenant_id, id, code, slug, name)
              SELECT $1, md5($1 || '/role/' || i)::uuid, 'ROL-' || i, 'role-' || i, 'Role ' || i
              FROM generate_series(1, 50) i;",
    },
    Step {
        label: "employees",
        sql: "INSERT INTO app.d_employee (tenant_id, id, code, slug, name, email, first_name, last_name, password_hash)
              SELECT $1, md5($1 || '/employee/' || i)::uuid, 'EMP-' || lpad(i::text, 6, '0'), 'emp-' || i,
                     'Employee ' || i, 'employee' || i || '@' || $1 || '.bench', 'Employee', i::text,
                     current_setting('pmo.bench_password_hash')
              FROM generate_series(1, $2) i;",
    },
    Step {
        label: "clients",
        sql: "INSERT INTO app.d_client (tenant_id, id, code, slug, name)
              SELECT $1, md5($1 || '/client/' || i)::uuid, 'CLI-' || lpad(i::text, 6, '0'), 'client-' || i, 'Client ' || i
              FROM generate_series(1, $4) i;",
    },
    Step {
        label: "projects",
        sql: "INSERT INTO app.d_project (tenant_id, id, code, slug, name, project_stage, updated_ts)
              SELECT $1, md5($1 || '/project/' || i)::uuid, 'PRJ-' || lpad(i::text, 6, '0'), 'project-' || i,
                     'Project ' || i || ' ' || (ARRAY['roof','boiler','heat pump','solar','plumbing','landscape','snow','wiring'])[1 + i % 8],
                     i % 7, timestamptz '2026-01-01' + (i % 997) * interval '1 hour'
              FROM generate_series(1, $3) i;",
    },
    Step {
        label: "tasks (the big one)",
        // Power-law assignment to projects: floor(n * r^3) puts ~20% of tasks in the first 0.1% of projects.
        // The project is derived from a hash of the task number (deterministic) and written to the
        // task row now, so the link step below finds the mirror column already right (its trigger
        // then writes nothing).
        sql: "INSERT INTO app.d_task (tenant_id, id, code, slug, name, task_stage, task_priority, story_points, due_date, updated_ts, project_id)
              SELECT $1, md5($1 || '/task/' || i)::uuid, 'TSK-' || lpad(i::text, 7, '0'), 'task-' || i,
                     'Task ' || i || ' ' || (ARRAY['inspect','install','repair','quote','order parts','schedule','invoice','follow up'])[1 + i % 8],
                     i % 7, i % 5, 1 + i % 8,
                     CASE WHEN i % 6 = 0 THEN NULL ELSE date '2026-01-01' + (i % 365)::int END,
                     timestamptz '2026-01-01' + (i % 100003) * interval '1 minute',
                     md5($1 || '/project/' || (1 + floor($3 * power(
                         ('x' || substr(md5($1 || '/task-project/' || i), 1, 8))::bit(32)::bigint / 4294967296.0, 3)))::bigint)::uuid
              FROM generate_series(1, $5) i;",
    },
    Step {
        label: "project → task links",
        sql: "INSERT INTO app.d_entity_id_map (tenant_id, id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
              SELECT $1, md5($1 || '/link/pt/' || id)::uuid, 'project', project_id, 'task', id
              FROM app.d_task WHERE tenant_id = $1;",
    },
    Step {
        label: "task → employee (assignee) links",
        sql: "INSERT INTO app.d_entity_id_map (tenant_id, id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id, relationship_type)
              SELECT $1, md5($1 || '/link/te/' || i)::uuid, 'task', md5($1 || '/task/' || i)::uuid,
                     'employee', md5($1 || '/employee/' || (1 + floor(random() * $2))::bigint)::uuid, 'assigned_to'
              FROM generate_series(1, $5) i;",
    },
    Step {
        label: "business/client → project and role → employee links",
        sql: "INSERT INTO app.d_entity_id_map (tenant_id, id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
              SELECT $1, md5($1 || '/link/bp/' || i)::uuid, 'business', md5($1 || '/business/' || (1 + i % 50))::uuid,
                     'project', md5($1 || '/project/' || i)::uuid FROM generate_series(1, $3) i
              UNION ALL
              SELECT $1, md5($1 || '/link/cp/' || i)::uuid, 'client', md5($1 || '/client/' || (1 + i % $4))::uuid,
                     'project', md5($1 || '/project/' || i)::uuid FROM generate_series(1, $3) i
              UNION ALL
              SELECT $1, md5($1 || '/link/re/' || i)::uuid, 'role', md5($1 || '/role/' || (1 + i % 50))::uuid,
                     'employee', md5($1 || '/employee/' || i)::uuid FROM generate_series(1, $2) i;",
    },
    Step {
        label: "artifacts",
        sql: "INSERT INTO app.d_artifact (tenant_id, id, code, slug, name, file_name, file_format, content_type, file_size_bytes,
                                          storage_key, upload_status, uploaded_ts, entity_type, entity_id)
              SELECT $1, a.id, 'ART-' || lpad(i::text, 7, '0'), 'artifact-' || i, 'Document ' || i, 'document-' || i || '.pdf',
                     'pdf', 'application/pdf', 10000 + i,
                     'tenant_id=' || $1 || '/entity=task/entity_id=' || a.task || '/' || replace(a.id::text, '-', '') || '.pdf',
                     'available', now(), 'task', a.task
              FROM generate_series(1, $6) i
              CROSS JOIN LATERAL (SELECT md5($1 || '/artifact/' || i)::uuid AS id,
                                         md5($1 || '/task/' || (1 + floor(random() * $5))::bigint)::uuid AS task) a;
              INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
              SELECT tenant_id, 'task', entity_id, 'artifact', id FROM app.d_artifact WHERE tenant_id = $1
              ON CONFLICT DO NOTHING;",
    },
    Step {
        label: "entity registry",
        sql: "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
              SELECT tenant_id, 'office', id, name, code, slug FROM app.d_office WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'business', id, name, code, slug FROM app.d_business WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'role', id, name, code, slug FROM app.d_role WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'employee', id, name, code, slug FROM app.d_employee WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'client', id, name, code, slug FROM app.d_client WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'project', id, name, code, slug FROM app.d_project WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'task', id, name, code, slug FROM app.d_task WHERE tenant_id = $1
              UNION ALL SELECT tenant_id, 'artifact', id, name, code, slug FROM app.d_artifact WHERE tenant_id = $1
              ON CONFLICT DO NOTHING;",
    },
    Step {
        label: "grants",
        // 40% instance grants on tasks, 30% instance grants on projects, 15% cascading project grants,
        // 10% role instance grants, 5% `all` grants — spread over all employees.
        sql: "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
              SELECT $1, g.grantee_type, g.grantee_id, g.entity_type, g.entity_id, g.permission, g.cascade_flag
              FROM generate_series(1, $7) i
              CROSS JOIN LATERAL (
                SELECT CASE WHEN i % 20 = 18 OR i % 20 = 19 THEN 'role' ELSE 'employee' END AS grantee_type,
                       CASE WHEN i % 20 IN (18, 19) THEN md5($1 || '/role/' || (1 + i % 50))::uuid
                            ELSE md5($1 || '/employee/' || (1 + (i * 7919) % $2))::uuid END AS grantee_id,
                       CASE WHEN i % 20 < 8 THEN 'task' WHEN i % 20 = 17 THEN 'client' ELSE 'project' END AS entity_type,
                       CASE WHEN i % 20 < 8 THEN md5($1 || '/task/' || (1 + (i * 104729) % $5))::uuid
                            WHEN i % 20 = 17 THEN NULL
                            ELSE md5($1 || '/project/' || (1 + (i * 15485863) % $3))::uuid END AS entity_id,
                       CASE WHEN i % 3 = 0 THEN '{0,1}'::smallint[] ELSE '{0}'::smallint[] END AS permission,
                       (i % 20 BETWEEN 14 AND 16) AS cascade_flag
              ) g
              ON CONFLICT DO NOTHING;",
    },
];

/// Builds the tenant. Refuses a tenant that has data unless `force`.
pub async fn generate(pool: &PgPool, options: &GenerateOptions) -> anyhow::Result<()> {
    let tenant = options.tenant.as_str();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app.d_tenant WHERE id = $1)")
            .bind(tenant)
            .fetch_one(pool)
            .await?;
    if exists && !options.force {
        anyhow::bail!(
            "tenant `{tenant}` already exists; pass --force to replace it, or --tenant to name a new one"
        );
    }
    let hash = password::hash_password_blocking(options.password.clone()).await?;
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    // Bulk inserts of a million rows run far past the server's per-statement limit.
    sqlx::query("SET LOCAL statement_timeout = 0")
        .execute(&mut *tx)
        .await?;
    if exists {
        drop_tenant(&mut tx, tenant).await?;
        eprintln!(
            "  {:<55} {:>6.1} s",
            "removed the previous tenant",
            started.elapsed().as_secs_f64()
        );
    }
    let admin = NewEmployee {
        email: bench_email(BENCH_ADMIN_LOCAL, tenant),
        first_name: "Bench".into(),
        last_name: "Admin".into(),
        password: options.password.clone(),
        tenant_admin: true,
    };
    tenancy::create_tenant_in(
        &mut tx,
        NewTenant {
            slug: tenant.to_owned(),
            name: format!("Benchmark {tenant}"),
            admin,
        },
        &hash,
    )
    .await?;
    sqlx::query("SELECT set_config('pmo.bench_password_hash', $1, true), setseed($2)")
        .bind(&hash)
        .bind(options.seed)
        .execute(&mut *tx)
        .await?;
    let sizes = &options.sizes;
    for step in STEPS {
        let step_started = Instant::now();
        let bar = spinner(step.label);
        for statement in step.sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            // $1 tenant, $2 employees, $3 projects, $4 clients, $5 tasks, $6 artifacts, $7 grants:
            // typed by sqlx, so a statement may leave some unused.
            sqlx::query(AssertSqlSafe(statement.to_owned()))
                .bind(tenant)
                .bind(sizes.employees)
                .bind(sizes.projects)
                .bind(sizes.clients)
                .bind(sizes.tasks)
                .bind(sizes.artifacts)
                .bind(sizes.grants)
                .execute(&mut *tx)
                .await
                .with_context(|| format!("step `{}` failed", step.label))?;
        }
        bar.finish_and_clear();
        eprintln!(
            "  {:<55} {:>6.1} s",
            step.label,
            step_started.elapsed().as_secs_f64()
        );
    }
    let bench_user = bench_user_setup(&mut tx, tenant, &hash).await?;
    // A running server may hold answers about a tenant replaced with --force.
    crate::auth::permissions::access_changed(&mut tx, None, tenant).await?;
    crate::auth::current_user::sessions_changed(&mut tx, None, tenant, None).await?;
    let commit_started = Instant::now();
    tx.commit().await?;
    eprintln!(
        "  {:<55} {:>6.1} s",
        "commit",
        commit_started.elapsed().as_secs_f64()
    );
    let analyze_started = Instant::now();
    sqlx::raw_sql("SET statement_timeout = 0; ANALYZE app.d_task; ANALYZE app.d_project; ANALYZE app.d_entity_id_map; ANALYZE app.d_entity_instance_id; ANALYZE app.d_entity_id_rbac_map; ANALYZE app.d_employee; ANALYZE app.d_artifact")
        .execute(pool)
        .await?;
    eprintln!(
        "  {:<55} {:>6.1} s",
        "analyze",
        analyze_started.elapsed().as_secs_f64()
    );
    eprintln!(
        "tenant `{tenant}` generated in {:.1} s; sign in as {} (non-admin, {bench_user}) or {} (admin)",
        started.elapsed().as_secs_f64(),
        bench_email(BENCH_USER_LOCAL, tenant),
        bench_email(BENCH_ADMIN_LOCAL, tenant),
    );
    Ok(())
}

fn spinner(label: &'static str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_message(label);
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

/// The benchmark's non-admin user: visibility from a role grant, instance grants on a few of the
/// biggest projects' tasks, and a cascading grant on one large and a few small projects.
async fn bench_user_setup(
    conn: &mut sqlx::PgConnection,
    tenant: &str,
    hash: &str,
) -> anyhow::Result<String> {
    let email = bench_email(BENCH_USER_LOCAL, tenant);
    let id = tenancy::insert_employee_row(
        conn,
        tenant,
        &email,
        "Bench",
        "User",
        Some(hash),
        false,
        None,
    )
    .await?
    .id;
    sqlx::query(
        "INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
         VALUES ($1, 'role', md5($1 || '/role/1')::uuid, 'employee', $2);
         ",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
         SELECT $1, 'employee', $2, 'project', md5($1 || '/project/' || p)::uuid, '{0,1,4}'::smallint[], true
         FROM unnest(ARRAY[2, 500, 1500, 4000, 9000]) p
         UNION ALL
         SELECT $1, 'employee', $2, 'task', md5($1 || '/task/' || t)::uuid, '{0,1}'::smallint[], false
         FROM generate_series(1, 300) t
         ON CONFLICT DO NOTHING",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok("role 1 + 5 cascading project grants + 300 task grants".to_owned())
}

/// Deletes every row of a tenant. Tables reference each other, so each pass deletes what nothing
/// references any more (a failed delete is rolled back to its savepoint) until all are empty.
async fn drop_tenant(conn: &mut sqlx::PgConnection, tenant: &str) -> anyhow::Result<()> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT c.table_name::text FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'app' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
           AND c.table_name NOT IN ('d_tenant', 'audit_log')
         -- Tasks before links: the link table's trigger then has no task row to update.
         ORDER BY c.table_name <> 'd_task', c.table_name",
    )
    .fetch_all(&mut *conn)
    .await?;
    for _ in 0..8 {
        let mut blocked = 0;
        for table in &tables {
            sqlx::query("SAVEPOINT pmo_drop")
                .execute(&mut *conn)
                .await?;
            let sql = format!("DELETE FROM app.\"{table}\" WHERE tenant_id = $1");
            if sqlx::query(AssertSqlSafe(sql))
                .bind(tenant)
                .execute(&mut *conn)
                .await
                .is_ok()
            {
                sqlx::query("RELEASE SAVEPOINT pmo_drop")
                    .execute(&mut *conn)
                    .await?;
            } else {
                sqlx::query("ROLLBACK TO SAVEPOINT pmo_drop")
                    .execute(&mut *conn)
                    .await?;
                blocked += 1;
            }
        }
        if blocked == 0 {
            sqlx::query("DELETE FROM app.d_tenant WHERE id = $1")
                .bind(tenant)
                .execute(&mut *conn)
                .await?;
            return Ok(());
        }
    }
    anyhow::bail!("could not remove tenant `{tenant}`: rows are still referenced")
}
