//! Gaps an audit found in the foundation and identity coverage: schema tenancy invariants, single-level
//! permissions, internal errors, per-address throttling, expired tokens, the default tenant, audit
//! content, cross-tenant probes of the remaining route families, a silent database, logs, and the
//! demo login that `seed --demo` prints.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{
    ScratchDatabase, ServeProcess, TEST_PASSWORD, TestApp, TestResponse, TestUser, free_port,
    pmo_command, stderr_of, stdout_of,
};

// ---------------------------------------------------------------------------------------------
// a. Schema invariants
// ---------------------------------------------------------------------------------------------

/// Unique keys on tenant tables that may leave `tenant_id` out, each with its reason.
const GLOBAL_UNIQUE_KEYS: &[(&str, &str)] = &[
    // Platform rows keyed by a random uuid (or identity) that is unique on its own; none of them
    // is addressed by an id a client chooses.
    ("auth_session_pk", "random uuid surrogate key"),
    ("auth_refresh_token_pk", "random uuid surrogate key"),
    ("auth_one_time_token_pk", "random uuid surrogate key"),
    ("mail_outbox_pk", "random uuid surrogate key"),
    ("dev_mailbox_pk", "random uuid surrogate key"),
    (
        "audit_log_pk",
        "identity key of a global, tenant-optional log",
    ),
    (
        "job_pk",
        "identity key of a queue that also holds system jobs",
    ),
    // Lookups by a random secret, which identify the tenant themselves.
    ("auth_refresh_token_hash_uq", "lookup by token hash"),
    ("auth_one_time_token_hash_uq", "lookup by token hash"),
    ("d_form_head_public_token_uq", "public form link token"),
    // One mailbox copy per outbox row, whose id is already global.
    ("dev_mailbox_outbox_uq", "follows mail_outbox's global id"),
    // System jobs (backups, cleanups) have no tenant; tenant jobs carry it in the dedupe key.
    ("job_dedupe_uq", "queue-wide dedupe key"),
];

/// Tables whose `tenant_id` may be NULL.
const TENANT_OPTIONAL: &[(&str, &str)] = &[
    (
        "audit_log",
        "events without a tenant; outlives what it describes",
    ),
    ("job", "system jobs (backups, cleanups) belong to no tenant"),
];

/// Foreign keys between tenant tables that may leave `tenant_id` out (migration 0052 says why).
const GLOBAL_FOREIGN_KEYS: &[(&str, &str)] = &[(
    "dev_mailbox_outbox_fk",
    "mail_outbox's global uuid, cleared by ON DELETE SET NULL",
)];

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn schema_scopes_every_key_and_reference_by_tenant(pool: PgPool) {
    // Every table but the tenant table itself is tenant-owned.
    let untenanted: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'app' AND c.relkind IN ('r', 'p')
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(untenanted, ["d_tenant"], "tables without tenant_id");

    // tenant_id NOT NULL everywhere but the documented exceptions; the entity, datalabel, link,
    // registry and grant tables are all among the checked ones.
    let nullability: Vec<(String, bool)> = sqlx::query_as(
        "SELECT c.relname::text, a.attnotnull FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
         WHERE n.nspname = 'app' AND c.relkind IN ('r', 'p') ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let nullable: Vec<&str> = nullability
        .iter()
        .filter(|(_, not_null)| !not_null)
        .map(|(table, _)| table.as_str())
        .collect();
    let allowed: Vec<&str> = TENANT_OPTIONAL.iter().map(|(t, _)| *t).collect();
    assert_eq!(nullable, allowed, "tables whose tenant_id may be NULL");
    let checked = |prefix: &str| {
        nullability
            .iter()
            .filter(|(table, not_null)| table.starts_with(prefix) && *not_null)
            .count()
    };
    assert!(checked("d_") >= 30, "entity and detail tables checked");
    assert_eq!(checked("setting_datalabel_"), 16, "all 16 datalabel tables");
    for table in [
        "d_entity_id_map",
        "d_entity_instance_id",
        "d_entity_id_rbac_map",
    ] {
        assert!(
            nullability.contains(&(table.to_owned(), true)),
            "{table}: tenant_id NOT NULL"
        );
    }

    // Unique constraints and unique indexes (primary keys included) contain tenant_id.
    let unscoped: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
         WHERE n.nspname = 'app' AND x.indisunique AND NOT (a.attnum = ANY (x.indkey::int2[]))
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let unexpected: Vec<&(String, String)> = unscoped
        .iter()
        .filter(|(name, _)| !GLOBAL_UNIQUE_KEYS.iter().any(|(k, _)| k == name))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unique keys without tenant_id: {unexpected:#?}"
    );
    // The exception list stays honest: each still exists and still leaves tenant_id out.
    for (key, reason) in GLOBAL_UNIQUE_KEYS {
        assert!(
            unscoped.iter().any(|(name, _)| name == key),
            "{key} ({reason}) is listed as an exception but is gone or now includes tenant_id"
        );
    }
    let unique_count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'app' AND x.indisunique",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(unique_count > 100, "the query sees the schema's keys");

    // Foreign keys between tenant tables carry tenant_id, matched to the referenced tenant_id.
    let foreign: Vec<(String, bool)> = sqlx::query_as(
        "SELECT c.conname::text,
                EXISTS (SELECT 1 FROM generate_subscripts(c.conkey, 1) k
                        JOIN pg_attribute la ON la.attrelid = c.conrelid AND la.attnum = c.conkey[k]
                        JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[k]
                        WHERE la.attname = 'tenant_id' AND ra.attname = 'tenant_id')
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = 'app' AND c.contype = 'f' AND c.confrelid <> 'app.d_tenant'::regclass
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attname = 'tenant_id')
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(foreign.len() > 50, "the query sees the schema's references");
    let unscoped_fks: Vec<&str> = foreign
        .iter()
        .filter(|(_, scoped)| !scoped)
        .map(|(name, _)| name.as_str())
        .collect();
    let allowed_fks: Vec<&str> = GLOBAL_FOREIGN_KEYS.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        unscoped_fks, allowed_fks,
        "foreign keys between tenant tables without tenant_id"
    );

    // Every tenant_id references the tenant table (the audit log alone outlives its tenant).
    let orphans: Vec<String> = sqlx::query_scalar(
        "SELECT t.relname::text FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'app' AND t.relkind IN ('r', 'p')
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attname = 'tenant_id')
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = t.oid AND c.contype = 'f'
                           AND c.confrelid = 'app.d_tenant'::regclass)
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(orphans, ["audit_log"], "tenant_id without a tenant FK");
}

// ---------------------------------------------------------------------------------------------
// b. Single-level permissions through the real routes
// ---------------------------------------------------------------------------------------------

fn created_id(response: &TestResponse, what: &str) -> Uuid {
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{what}: {}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()["id"].as_str().unwrap().parse().unwrap()
}

async fn create(app: &TestApp, user: &TestUser, entity: &str, name: &str) -> Uuid {
    if entity == "artifact" {
        return stored_artifact(app, &user.tenant, name).await;
    }
    let response = app
        .post_json(
            &format!("/api/v1/{entity}"),
            Some(user),
            &json!({ "name": name }),
        )
        .await;
    created_id(&response, entity)
}

/// An uploaded file as the upload flow leaves it (artifacts are not created by a plain POST).
async fn stored_artifact(app: &TestApp, tenant: &str, name: &str) -> Uuid {
    let id = Uuid::new_v4();
    let code = format!("ART-{}", id.simple());
    sqlx::query(
        "INSERT INTO app.d_artifact (tenant_id, id, code, slug, name, file_name, storage_key, root_artifact_id, upload_status)
         VALUES ($1, $2, $3, lower($3), $4, 'file.pdf', 'tenant_id=' || $1 || '/entity=artifact/entity_id=' || $2 || '/f.pdf', $2, 'available');
         ",
    )
    .bind(tenant)
    .bind(id)
    .bind(&code)
    .bind(name)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
         VALUES ($1, 'artifact', $2, $3, $4, lower($4))",
    )
    .bind(tenant)
    .bind(id)
    .bind(name)
    .bind(&code)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

/// Grants `levels` through the RBAC API as `by` and expects it to succeed.
async fn grant(
    app: &TestApp,
    by: &TestUser,
    grantee: (&str, Uuid),
    entity: &str,
    id: Option<Uuid>,
    levels: &[i64],
) {
    let response = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(by),
            &json!({"grantee_type": grantee.0, "grantee_id": grantee.1, "entity_type": entity,
                    "entity_id": id, "levels": levels}),
        )
        .await;
    assert!(
        response.status.is_success(),
        "grant {levels:?} on {entity}: {} {}",
        response.status,
        String::from_utf8_lossy(&response.body)
    );
}

async fn try_grant(
    app: &TestApp,
    by: &TestUser,
    to: &TestUser,
    entity: &str,
    id: Uuid,
    levels: &[i64],
) -> StatusCode {
    app.post_json(
        "/api/v1/rbac/grants",
        Some(by),
        &json!({"grantee_type": "employee", "grantee_id": to.id, "entity_type": entity,
                "entity_id": id, "levels": levels}),
    )
    .await
    .status
}

async fn patch_name(app: &TestApp, user: &TestUser, entity: &str, id: Uuid) -> StatusCode {
    let path = format!("/api/v1/{entity}/{id}");
    let version = app.get_as(user, &path).await.json()["version"].clone();
    app.send_json(
        Method::PATCH,
        &path,
        Some(user),
        Some(&json!({"name": "renamed", "version": version})),
    )
    .await
    .status
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn each_single_level_allows_exactly_its_action(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let other = app.employee("acme", "other").await;
    let mut failures = Vec::new();
    let mut expect = |what: String, got: StatusCode, want: StatusCode| {
        if got != want {
            failures.push(format!("{what}: got {got}, want {want}"));
        }
    };
    let mut passed_on = Vec::new();

    for entity in ["task", "project", "client", "artifact"] {
        // One level alone: (who, level, PATCH, passing View on, DELETE — last, it ends the record).
        for (who, level, patched, granted, deleted) in [
            (
                "edit-only",
                1,
                StatusCode::OK,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
            ),
            (
                "delete-only",
                3,
                StatusCode::FORBIDDEN,
                StatusCode::FORBIDDEN,
                StatusCode::NO_CONTENT,
            ),
        ] {
            let holder = app.employee("acme", &format!("{entity}-{who}")).await;
            let id = create(&app, &admin, entity, who).await;
            grant(
                &app,
                &admin,
                ("employee", holder.id),
                entity,
                Some(id),
                &[level],
            )
            .await;
            expect(
                format!("{entity} {who} PATCH"),
                patch_name(&app, &holder, entity, id).await,
                patched,
            );
            expect(
                format!("{entity} {who} grant"),
                try_grant(&app, &holder, &other, entity, id, &[0]).await,
                granted,
            );
            expect(
                format!("{entity} {who} DELETE"),
                app.delete_as(&holder, &format!("/api/v1/{entity}/{id}"))
                    .await
                    .status,
                deleted,
            );
        }

        // Share only: passes on what it holds (View, Share), nothing more; edits nothing.
        let sharer = app.employee("acme", &format!("{entity}-sharer")).await;
        let id = create(&app, &admin, entity, "share only").await;
        grant(
            &app,
            &admin,
            ("employee", sharer.id),
            entity,
            Some(id),
            &[2],
        )
        .await;
        expect(
            format!("{entity} share-only grant View"),
            try_grant(&app, &sharer, &other, entity, id, &[0]).await,
            StatusCode::CREATED,
        );
        expect(
            format!("{entity} share-only grant View+Share"),
            try_grant(&app, &sharer, &other, entity, id, &[0, 2]).await,
            StatusCode::OK,
        );
        for level in [1, 3, 4] {
            expect(
                format!("{entity} share-only grant level {level}"),
                try_grant(&app, &sharer, &other, entity, id, &[level]).await,
                StatusCode::FORBIDDEN,
            );
        }
        expect(
            format!("{entity} share-only PATCH"),
            patch_name(&app, &sharer, entity, id).await,
            StatusCode::FORBIDDEN,
        );
        // The refused grants wrote nothing: `other` holds exactly View and Share.
        let held: Vec<i16> = sqlx::query_scalar(
            "SELECT permission FROM app.d_entity_id_rbac_map WHERE tenant_id = 'acme' AND grantee_id = $1 AND entity_id = $2 AND active_flag",
        )
        .bind(other.id)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        passed_on.push((entity, held));

        if entity == "artifact" {
            continue; // made by the upload flow, whose rules artifacts.rs covers
        }
        // Create through a role: 201; without the role's grant: 403.
        let creator = app.employee("acme", &format!("{entity}-creator")).await;
        expect(
            format!("{entity} create without grant"),
            app.post_json(
                &format!("/api/v1/{entity}"),
                Some(&creator),
                &json!({"name": "no grant"}),
            )
            .await
            .status,
            StatusCode::FORBIDDEN,
        );
        let role = create(&app, &admin, "role", &format!("{entity} creators")).await;
        let linked = app
            .post_json(
                "/api/v1/linkage",
                Some(&admin),
                &json!({"parent_entity_type": "role", "parent_entity_id": role,
                        "child_entity_type": "employee", "child_entity_id": creator.id}),
            )
            .await;
        assert_eq!(
            linked.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&linked.body)
        );
        grant(&app, &admin, ("role", role), entity, None, &[4]).await;
        expect(
            format!("{entity} create via role"),
            app.post_json(
                &format!("/api/v1/{entity}"),
                Some(&creator),
                &json!({"name": "via role"}),
            )
            .await
            .status,
            StatusCode::CREATED,
        );
    }

    // Creating under a parent also needs Edit on the parent: task under project, project under client.
    for (parent, child) in [("project", "task"), ("client", "project")] {
        let creator = app
            .employee("acme", &format!("{child}-under-{parent}"))
            .await;
        grant(&app, &admin, ("employee", creator.id), child, None, &[4]).await;
        let parent_id = create(&app, &admin, parent, "the parent").await;
        grant(
            &app,
            &admin,
            ("employee", creator.id),
            parent,
            Some(parent_id),
            &[0],
        )
        .await;
        let path = format!("/api/v1/{parent}/{parent_id}/{child}");
        let body = json!({"name": "under the parent"});
        expect(
            format!("{child} under {parent} with View on it"),
            app.post_json(&path, Some(&creator), &body).await.status,
            StatusCode::FORBIDDEN,
        );
        grant(
            &app,
            &admin,
            ("employee", creator.id),
            parent,
            Some(parent_id),
            &[1],
        )
        .await;
        expect(
            format!("{child} under {parent} with Edit on it"),
            app.post_json(&path, Some(&creator), &body).await.status,
            StatusCode::CREATED,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for (entity, held) in passed_on {
        assert_eq!(held, [0, 2], "{entity}: levels passed on by Share only");
    }
}

// ---------------------------------------------------------------------------------------------
// c. Internal errors show nothing inside
// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_failing_query_answers_500_without_internals(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let id = create(&app, &admin, "project", "doomed").await;
    // The schema drifts under the running app (a botched manual change): its queries now fail.
    app.exec("ALTER TABLE app.d_project RENAME COLUMN descr TO descr_renamed_by_test")
        .await;
    for path in [
        format!("/api/v1/project/{id}"),
        "/api/v1/project".to_owned(),
    ] {
        let response = app.get_as(&admin, &path).await;
        let body = response.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal_error");
        let text = String::from_utf8_lossy(&response.body).to_lowercase();
        for leak in [
            "descr",
            "column",
            "does not exist",
            "select",
            "app.",
            "sqlx",
            "postgres",
            ".rs",
            "panicked",
            "backtrace",
        ] {
            assert!(!text.contains(leak), "{path} leaks `{leak}`: {text}");
        }
        assert!(body["error"]["details"].is_null(), "{body}");
        assert_eq!(
            response.headers[header::CONTENT_TYPE],
            "application/json",
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// d. Per-address login throttling
// ---------------------------------------------------------------------------------------------

/// A login as it arrives from `ip` (the server reads the peer address from `ConnectInfo`).
async fn login_from(app: &TestApp, ip: [u8; 4], email: &str, password: &str) -> TestResponse {
    let body = json!({"email": email, "password": password, "tenant": "acme"});
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(SocketAddr::from((ip, 40_000))))
        .body(Body::from(serde_json::to_vec(&body).unwrap()))
        .unwrap();
    app.request(request).await
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn one_address_failing_across_accounts_is_throttled_then_released(pool: PgPool) {
    // Long enough for the checks below on a loaded machine; the release waits this out.
    const WINDOW_SECS: u64 = 8;
    let app = TestApp::spawn_with(pool, |config| {
        config.auth.max_failed_logins_per_ip = 3;
        config.auth.max_failed_logins = 5;
        config.auth.lockout_secs = WINDOW_SECS;
    })
    .await;
    app.tenant_with_admin("acme").await;
    let attacker = [203, 0, 113, 7];
    let bystander = [198, 51, 100, 20];

    // The address's window opens during the first failure: after `started`, before `first_done`.
    let started = Instant::now();
    let mut first_done = None;
    // Three different accounts, one failure each: no account reaches its own limit.
    for n in 0..3 {
        login_from(&app, attacker, &format!("guess{n}@acme.example"), "wrong")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        first_done.get_or_insert_with(Instant::now);
    }
    let first_done = first_done.unwrap();
    // The address is now throttled, even for a valid login of another account.
    let throttled = login_from(&app, attacker, "admin@acme.example", TEST_PASSWORD).await;
    throttled.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    assert_eq!(
        throttled.headers[header::RETRY_AFTER],
        WINDOW_SECS.to_string()
    );
    let fourth_account = login_from(&app, attacker, "guess9@acme.example", "wrong").await;
    fourth_account.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Another address is not affected, and the account itself is not locked.
    let other = login_from(&app, bystander, "admin@acme.example", TEST_PASSWORD).await;
    assert_eq!(
        other.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&other.body)
    );
    assert!(
        started.elapsed() < Duration::from_secs(WINDOW_SECS),
        "the checks ran within the window ({:?}); the release below would prove nothing",
        started.elapsed()
    );

    // After the window the address may try again.
    let window_closed = first_done + Duration::from_secs(WINDOW_SECS) + Duration::from_millis(500);
    tokio::time::sleep_until(window_closed.into()).await;
    let released = login_from(&app, attacker, "admin@acme.example", TEST_PASSWORD).await;
    assert_eq!(
        released.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&released.body)
    );
}

// ---------------------------------------------------------------------------------------------
// e. Expired tokens
// ---------------------------------------------------------------------------------------------

/// The link's token from the newest message to `to` in the development mailbox.
async fn mailed_token(app: &TestApp, to: &str) -> String {
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM app.dev_mailbox WHERE to_address = $1 ORDER BY received_ts DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn expired_reset_invitation_and_refresh_tokens_are_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;

    // Password reset.
    let requested = app
        .post_json(
            "/api/v1/auth/password-reset/request",
            None,
            &json!({"email": admin.email, "tenant": "acme"}),
        )
        .await;
    assert_eq!(requested.status, StatusCode::ACCEPTED);
    let reset = mailed_token(&app, &admin.email).await;
    // Invitation.
    let invited = app
        .post_json(
            "/api/v1/auth/invitations",
            Some(&admin),
            &json!({"email": "late@acme.example", "first_name": "Late", "last_name": "Comer"}),
        )
        .await;
    assert_eq!(invited.status, StatusCode::CREATED);
    let invitation = mailed_token(&app, "late@acme.example").await;
    // Each token is live right up to the moment its expiry is moved into the past.
    let live: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM app.auth_one_time_token
                 WHERE token_hash IN ($1, $2) AND used_ts IS NULL AND expires_ts > now())
              + (SELECT count(*) FROM app.auth_refresh_token
                 WHERE token_hash = $3 AND used_ts IS NULL AND revoked_ts IS NULL AND expires_ts > now())",
    )
    .bind(pmo::auth::tokens::token_hash(&reset))
    .bind(pmo::auth::tokens::token_hash(&invitation))
    .bind(pmo::auth::tokens::token_hash(&admin.refresh_token))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(live, 3, "the three tokens are valid before they expire");

    app.exec(
        "UPDATE app.auth_one_time_token SET created_ts = now() - interval '2 days', expires_ts = now() - interval '1 second';
         UPDATE app.auth_refresh_token SET issued_ts = now() - interval '60 days', expires_ts = now() - interval '1 second';",
    )
    .await;

    let new_password = "a-brand-new-password";
    app.post_json(
        "/api/v1/auth/password-reset/confirm",
        None,
        &json!({"token": reset, "password": new_password}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "invalid_token");
    app.post_json(
        "/api/v1/auth/invitations/accept",
        None,
        &json!({"token": invitation, "password": new_password}),
    )
    .await
    .assert_error(StatusCode::BAD_REQUEST, "invalid_token");
    app.post_json(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": admin.refresh_token}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    // Nothing changed: the old password still works, the invited account has none.
    app.login("acme", &admin.email, new_password)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    app.sign_in("acme", &admin.email, TEST_PASSWORD).await;
    let invited_hash: Option<String> = sqlx::query_scalar(
        "SELECT password_hash FROM app.d_employee WHERE tenant_id = 'acme' AND email = 'late@acme.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(invited_hash.is_none(), "an expired invitation sets nothing");
    let used: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.auth_one_time_token WHERE used_ts IS NOT NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(used, 0, "expired tokens are not consumed");
}

// ---------------------------------------------------------------------------------------------
// f. The default tenant
// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn login_without_a_tenant_uses_the_configured_default(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |config| config.default_tenant = "acme".to_owned()).await;
    let acme = app.tenant_with_admin("acme").await;
    let beta = app.tenant_with_admin("beta").await;
    let app = &app;
    let login = |email: &str, password: &str| {
        let body = json!({"email": email, "password": password});
        async move { app.post_json("/api/v1/auth/login", None, &body).await }
    };

    let ok = login(&acme.email, TEST_PASSWORD).await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&ok.body)
    );
    assert_eq!(ok.json()["employee"]["id"], json!(acme.id));

    // A valid account of another tenant is unknown here: the same answer as a wrong password.
    let elsewhere = login(&beta.email, TEST_PASSWORD).await;
    let wrong = login(&acme.email, "not-the-password").await;
    elsewhere.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    wrong.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(elsewhere.json(), wrong.json());
    assert_eq!(
        elsewhere.headers.get(header::WWW_AUTHENTICATE),
        wrong.headers.get(header::WWW_AUTHENTICATE)
    );
    // Naming the tenant still works.
    app.sign_in("beta", &beta.email, TEST_PASSWORD).await;
}

// ---------------------------------------------------------------------------------------------
// g. Audit log content
// ---------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn audit_records_failures_and_changes_and_cannot_be_rewritten(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;

    let secret = "Tr0ub4dor-not-the-password";
    app.login("acme", &admin.email, secret)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let failed: Vec<Value> = sqlx::query_scalar(
        "SELECT to_jsonb(a) FROM app.audit_log a WHERE action = 'auth.login_failed'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let row = &failed[0];
    assert_eq!(row["tenant_id"], "acme");
    assert_eq!(row["details"]["email"], admin.email.as_str());
    assert_eq!(row["target_id"], admin.id.to_string());
    let everything: String = sqlx::query_scalar(
        "SELECT coalesce(string_agg(to_jsonb(a)::text, ' '), '') FROM app.audit_log a",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !everything.contains(secret) && !everything.contains(TEST_PASSWORD),
        "a password reached the audit log: {everything}"
    );

    // An update records the changed field before and after, with actor and target.
    let id = create(&app, &admin, "project", "Before Name").await;
    let updated = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/project/{id}"),
            Some(&admin),
            Some(&json!({"name": "After Name", "version": 1})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    let update: Value = sqlx::query_scalar(
        "SELECT to_jsonb(a) FROM app.audit_log a WHERE action = 'project.update' AND target_id = $1",
    )
    .bind(id.to_string())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(update["tenant_id"], "acme");
    assert_eq!(update["actor_employee_id"], json!(admin.id));
    assert_eq!(update["target_type"], "project");
    assert_eq!(update["before"]["name"], "Before Name");
    assert_eq!(update["after"]["name"], "After Name");
    assert!(
        update["before"].get("code").is_none(),
        "unchanged fields are not repeated: {update}"
    );

    // Append-only: neither UPDATE nor DELETE gets through, even for the schema's owner.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM app.audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for sql in [
        "UPDATE app.audit_log SET action = 'auth.login' WHERE action = 'auth.login_failed'",
        "DELETE FROM app.audit_log",
        "TRUNCATE app.audit_log",
    ] {
        let err = sqlx::query(sql)
            .execute(&app.pool)
            .await
            .expect_err(sql)
            .to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM app.audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(before, after);
    let still_failed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM app.audit_log WHERE action = 'auth.login_failed'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(still_failed, 1);
}

// ---------------------------------------------------------------------------------------------
// h. Cross-tenant probes of children, restore, child tabs and options
// ---------------------------------------------------------------------------------------------

/// The envelope without anything that names the probed id.
fn error_shape(response: &TestResponse, probed: Uuid) -> (StatusCode, String) {
    let body = String::from_utf8_lossy(&response.body).replace(&probed.to_string(), "<id>");
    (response.status, body)
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn other_tenants_children_restore_tabs_and_options_are_missing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let acme = app.tenant_with_admin("acme").await;
    let beta = app.tenant_with_admin("beta").await;
    let project = create(&app, &acme, "project", "Acme Secret Project").await;
    let task = app
        .post_json(
            &format!("/api/v1/project/{project}/task"),
            Some(&acme),
            &json!({"name": "Acme Secret Task"}),
        )
        .await;
    created_id(&task, "child task");
    let deleted = create(&app, &acme, "project", "Acme Deleted Project").await;
    assert_eq!(
        app.delete_as(&acme, &format!("/api/v1/project/{deleted}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let snapshot = || async {
        let value: Value = sqlx::query_scalar(
            "SELECT jsonb_build_object(
                'tasks', (SELECT count(*) FROM app.d_task),
                'links', (SELECT count(*) FROM app.d_entity_id_map),
                'registry', (SELECT count(*) FROM app.d_entity_instance_id),
                'projects', (SELECT jsonb_agg(jsonb_build_array(id, version, active_flag) ORDER BY id) FROM app.d_project),
                'audit', (SELECT count(*) FROM app.audit_log WHERE action NOT LIKE 'auth.%'))",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        value
    };

    let missing = Uuid::new_v4();
    let probes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/v1/project/{id}/task".to_owned(), None),
        (
            Method::POST,
            "/api/v1/project/{id}/task".to_owned(),
            Some(json!({"name": "planted by beta"})),
        ),
        (
            Method::POST,
            "/api/v1/project/{id}/restore".to_owned(),
            None,
        ),
        (
            Method::GET,
            "/api/v1/entity/project/{id}/child-tabs".to_owned(),
            None,
        ),
    ];
    // Probed by beta's administrator and by beta staff holding everything on both types.
    let staff = app.employee("beta", "staff").await;
    for entity in ["project", "task"] {
        grant(
            &app,
            &beta,
            ("employee", staff.id),
            entity,
            None,
            &[0, 1, 2, 3, 4],
        )
        .await;
    }
    let before = snapshot().await;
    for (method, template, body) in &probes {
        for (target, prober) in [(project, &beta), (deleted, &staff)] {
            let foreign = app
                .send_json(
                    method.clone(),
                    &template.replace("{id}", &target.to_string()),
                    Some(prober),
                    body.as_ref(),
                )
                .await;
            let absent = app
                .send_json(
                    method.clone(),
                    &template.replace("{id}", &missing.to_string()),
                    Some(prober),
                    body.as_ref(),
                )
                .await;
            // Missing ids of these families are not all 404 yet (see the ignored test below);
            // whatever the answer, another tenant's id must get exactly the missing id's.
            assert!(
                foreign.status.is_client_error() || method == Method::GET,
                "{method} {template}: {}",
                foreign.status
            );
            assert_eq!(
                error_shape(&foreign, target),
                error_shape(&absent, missing),
                "{method} {template}: another tenant's id must look like a missing one"
            );
        }
    }
    // The owner sees the same routes answer with content, so the answers above are about the tenant.
    let tabs = app
        .get_as(
            &acme,
            &format!("/api/v1/entity/project/{project}/child-tabs"),
        )
        .await;
    assert_eq!(tabs.status, StatusCode::OK);
    let children = app
        .get_as(&acme, &format!("/api/v1/project/{project}/task"))
        .await;
    assert_eq!(children.json()["data"].as_array().map(Vec::len), Some(1));

    // Options search: acme's records never appear for beta.
    let mine = app
        .get_as(&acme, "/api/v1/entity/project/options?q=Acme")
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&mine.body).contains(&project.to_string()));
    let theirs = app
        .get_as(&beta, "/api/v1/entity/project/options?q=Acme")
        .await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(theirs.json()["data"], json!([]));

    assert_eq!(snapshot().await, before, "a refused probe wrote something");
}

/// SPEC §4: a missing record is 404 — also for callers whose levels on the type do not depend on
/// the instance (tenant admins, `all` grants), who once got an empty list, zero tabs and a 422 for
/// a parent that does not exist. Creating under a deleted parent is a conflict, not an orphan.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_missing_parent_in_the_path_is_404(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let missing = Uuid::new_v4();
    for (method, path) in [
        (Method::GET, format!("/api/v1/project/{missing}/task")),
        (Method::POST, format!("/api/v1/project/{missing}/task")),
        (
            Method::GET,
            format!("/api/v1/entity/project/{missing}/child-tabs"),
        ),
    ] {
        let body = (method == Method::POST).then(|| json!({"name": "orphan"}));
        app.send_json(method, &path, Some(&admin), body.as_ref())
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
    let tasks = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM app.d_task")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    assert_eq!(tasks().await, 0, "no orphan task was written");

    // A deleted parent: its children and tabs are still readable, new children are refused.
    let project = app
        .post_json("/api/v1/project", Some(&admin), &json!({"name": "Closed"}))
        .await
        .json();
    let id = project["id"].as_str().unwrap().to_owned();
    let deleted = app
        .send_json(
            Method::DELETE,
            &format!("/api/v1/project/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let listed = app
        .get_as(&admin, &format!("/api/v1/project/{id}/task"))
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    app.post_json(
        &format!("/api/v1/project/{id}/task"),
        Some(&admin),
        &json!({"name": "late"}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "conflict");
    assert_eq!(tasks().await, 0, "nothing written under a deleted parent");

    // Links left pointing at a record that does not exist (written in SQL: the API never leaves
    // them) list and count nothing under it: still 404, not its orphans. The child list's page
    // and the tabs' counts test that the parent exists (`records::push_list_conditions`).
    let task = app
        .post_json("/api/v1/task", Some(&admin), &json!({"name": "stray"}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .parse::<Uuid>()
        .unwrap();
    sqlx::query(
        "INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
         VALUES ('acme', 'office', $1, 'task', $2)",
    )
    .bind(missing)
    .bind(task)
    .execute(&app.pool)
    .await
    .unwrap();
    for path in [
        format!("/api/v1/office/{missing}/task"),
        format!("/api/v1/entity/office/{missing}/child-tabs"),
    ] {
        app.get_as(&admin, &path)
            .await
            .assert_error(StatusCode::NOT_FOUND, "not_found");
    }
}

// ---------------------------------------------------------------------------------------------
// i. A database that never answers, and one that refuses
// ---------------------------------------------------------------------------------------------

/// Waits for `child` at most `limit`; kills it and fails when it takes longer.
fn wait_bounded(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}; stderr: {}",
                stderr_of(&output)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_database_that_accepts_but_never_answers_fails_migrate_in_bounded_time() {
    // Accepts connections and keeps them open without a byte of reply.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let started = Instant::now();
    let child = pmo_command()
        .arg("migrate")
        .env(
            "PMO_DATABASE_URL",
            format!("postgres://app:silent-pw@127.0.0.1:{port}/app"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let output = wait_bounded(child, Duration::from_secs(20));
    let stderr = stderr_of(&output);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        stderr.contains(&format!("127.0.0.1:{port}")),
        "names the host: {stderr}"
    );
    assert!(!stderr.contains("silent-pw"), "no password: {stderr}");
}

#[test]
fn serve_against_a_refusing_database_exits_naming_the_host() {
    let db_port = free_port();
    let child = pmo_command()
        .arg("serve")
        .env(
            "PMO_DATABASE_URL",
            format!("postgres://app:pw@127.0.0.1:{db_port}/app"),
        )
        .env("PMO_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("PMO_METRICS__LISTEN", "")
        .env("PMO_DATA_DIR", tempfile::tempdir().unwrap().path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let output = wait_bounded(child, Duration::from_secs(20));
    let stderr = stderr_of(&output);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("127.0.0.1:{db_port}")),
        "names the host: {stderr}"
    );
    assert!(
        !stdout_of(&output).contains("PMO is running"),
        "never claimed to be up"
    );
}

// ---------------------------------------------------------------------------------------------
// j. Logs: JSON lines on stderr and in the rotating file
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn serve_writes_json_logs_and_the_rotating_file() {
    let db = ScratchDatabase::create().await;
    let migrated = db.run(&["migrate"]);
    assert!(migrated.status.success(), "{}", stderr_of(&migrated));
    let data_dir = tempfile::tempdir().unwrap();
    let mut command = db.command();
    command
        .arg("serve")
        .env("PMO_DATA_DIR", data_dir.path())
        .env("PMO_LOG_FORMAT", "json")
        .env("PMO_LOG_FILE", "logs");
    let server = ServeProcess::start(command, "/api/health", Duration::from_secs(60)).await;
    // A request, so the logs hold more than start-up.
    reqwest::get(format!("{}/api/v1/no-such-route", server.url))
        .await
        .unwrap();

    // The file is written by a background thread: give it a moment.
    let log_dir = data_dir.path().join("logs");
    let deadline = Instant::now() + Duration::from_secs(15);
    let file_text = loop {
        let text: String = std::fs::read_dir(&log_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                name.starts_with("pmo") && name.ends_with(".log")
            })
            .map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default())
            .collect();
        if text.contains("listening") || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let stderr = server.stderr();
    drop(server);
    db.drop().await;

    for (what, text) in [("stderr", &stderr), ("log file", &file_text)] {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(!lines.is_empty(), "{what} is empty");
        for line in &lines {
            let parsed: Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("{what}: not a JSON line ({err}): {line}"));
            assert!(
                parsed["level"].is_string() && parsed["timestamp"].is_string(),
                "{what}: {line}"
            );
        }
        assert!(
            lines
                .iter()
                .any(|l| l.contains("\"message\":\"listening\"")),
            "{what} has the start-up line: {text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Fix 1: `seed --demo` prints a login that works
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn seed_demo_prints_a_working_admin_login() {
    let db = ScratchDatabase::create().await;
    let seeded = db
        .command()
        .args(["seed", "--demo"])
        .env("PMO_DEMO_PASSWORD", "demo-pass-from-env")
        .output()
        .unwrap();
    let stdout = stdout_of(&seeded);
    assert!(seeded.status.success(), "{}", stderr_of(&seeded));
    let line = format!(
        "Demo login: {} / demo-pass-from-env (tenant {})",
        pmo::seed::DEMO_ADMIN_EMAIL,
        pmo::seed::DEMO_TENANT
    );
    assert!(stdout.contains(&line), "{stdout}");
    let pool = PgPool::connect(&db.url).await.unwrap();
    let app = TestApp::spawn(pool.clone()).await;
    app.sign_in(
        pmo::seed::DEMO_TENANT,
        pmo::seed::DEMO_ADMIN_EMAIL,
        "demo-pass-from-env",
    )
    .await;

    // Without the setting the default password is printed, and becomes the password.
    let again = db.run(&["seed", "--demo"]);
    assert!(again.status.success(), "{}", stderr_of(&again));
    let default_line = format!(
        "Demo login: {} / password123 (tenant {})",
        pmo::seed::DEMO_ADMIN_EMAIL,
        pmo::seed::DEMO_TENANT
    );
    assert!(
        stdout_of(&again).contains(&default_line),
        "{}",
        stdout_of(&again)
    );

    // What was printed signs in.
    app.sign_in(
        pmo::seed::DEMO_TENANT,
        pmo::seed::DEMO_ADMIN_EMAIL,
        "password123",
    )
    .await;
    drop(app);
    pool.close().await;
    db.drop().await;
}
