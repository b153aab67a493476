//! The permission rules of SPEC §5, through the real routes (`/api/v1/rbac/*`, `/api/v1/auth/permissions`)
//! and the list filter every list route uses.

use std::collections::HashSet;

use axum::http::StatusCode;
use pmo::auth::CurrentUser;
use pmo::auth::permissions::{Visibility, list_visibility, push_visibility_filter};
use pmo::entity::EntityType;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};

/// Inserts an entity row (only the columns every entity requires) and its registry entry.
async fn entity(app: &TestApp, tenant: &str, entity: &str, table: &str, code: &str) -> Uuid {
    let id = Uuid::new_v4();
    let sql = format!(
        "INSERT INTO app.{table} (tenant_id, id, code, slug, name) VALUES ($1, $2, $3, $4, $5)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .bind(code)
        .bind(code.to_lowercase())
        .bind(format!("{entity} {code}"))
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(tenant)
        .bind(entity)
        .bind(id)
        .bind(format!("{entity} {code}"))
        .bind(code)
        .bind(code.to_lowercase())
        .execute(&app.pool)
        .await
        .unwrap();
    id
}

async fn link(app: &TestApp, tenant: &str, parent: (&str, Uuid), child: (&str, Uuid)) {
    sqlx::query(
        "INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(parent.0)
    .bind(parent.1)
    .bind(child.0)
    .bind(child.1)
    .execute(&app.pool)
    .await
    .unwrap();
    app.forget_cached_access().await;
}

/// A grant written directly (set-up only; the API refuses some of these on purpose, e.g. expired).
pub async fn grant_sql(
    app: &TestApp,
    tenant: &str,
    grantee: (&str, Uuid),
    target: (&str, Option<Uuid>),
    levels: &[i16],
    cascade: bool,
    expired: bool,
) {
    sqlx::query(
        "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag, expires_ts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8 THEN now() - interval '1 minute' END)",
    )
    .bind(tenant)
    .bind(grantee.0)
    .bind(grantee.1)
    .bind(target.0)
    .bind(target.1)
    .bind(levels)
    .bind(cascade)
    .bind(expired)
    .execute(&app.pool)
    .await
    .unwrap();
    app.forget_cached_access().await;
}

async fn levels(app: &TestApp, user: &TestUser, entity: &str, id: Uuid) -> Option<Vec<String>> {
    let response = app
        .get_as(
            user,
            &format!("/api/v1/rbac/check?entity_type={entity}&entity_id={id}"),
        )
        .await;
    // The record's own answer carries the same levels (`_permissions`), or is a 404 with it.
    let record = app.get_as(user, &format!("/api/v1/{entity}/{id}")).await;
    match response.status {
        StatusCode::OK => {
            let levels: Vec<String> = response.json()["levels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(record.status, StatusCode::OK, "{entity} {id}");
            assert_eq!(
                record.json()["_permissions"],
                json!(levels),
                "{entity} {id}"
            );
            Some(levels)
        }
        StatusCode::NOT_FOUND => {
            record.assert_error(StatusCode::NOT_FOUND, "not_found");
            None
        }
        other => panic!(
            "unexpected {other}: {}",
            String::from_utf8_lossy(&response.body)
        ),
    }
}

fn names(levels: &[&str]) -> Option<Vec<String>> {
    Some(levels.iter().map(|l| (*l).to_owned()).collect())
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn levels_follow_every_grant_shape(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let p1 = entity(&app, "acme", "project", "d_project", "P-1").await;
    let p2 = entity(&app, "acme", "project", "d_project", "P-2").await;
    let p3 = entity(&app, "acme", "project", "d_project", "P-3").await;
    let t1 = entity(&app, "acme", "task", "d_task", "T-1").await;
    let t2 = entity(&app, "acme", "task", "d_task", "T-2").await;
    let a1 = entity(&app, "acme", "form", "d_form_head", "F-1").await;
    let worker = app.employee("acme", "worker").await.id;
    link(&app, "acme", ("project", p1), ("task", t1)).await;
    link(&app, "acme", ("project", p2), ("task", t2)).await;
    link(&app, "acme", ("task", t1), ("form", a1)).await;
    link(&app, "acme", ("task", t1), ("employee", worker)).await;

    // Nothing granted: nothing visible (404, not 403: existence is not revealed).
    assert_eq!(levels(&app, &pat, "project", p1).await, None);

    // An instance grant reaches only its instance.
    grant_sql(
        &app,
        "acme",
        ("employee", pat.id),
        ("project", Some(p1)),
        &[0],
        false,
        false,
    )
    .await;
    assert_eq!(levels(&app, &pat, "project", p1).await, names(&["view"]));
    assert_eq!(levels(&app, &pat, "task", t1).await, None);

    // A cascading grant reaches descendants through links, at any depth, but not people.
    grant_sql(
        &app,
        "acme",
        ("employee", pat.id),
        ("project", Some(p1)),
        &[1],
        true,
        false,
    )
    .await;
    assert_eq!(
        levels(&app, &pat, "task", t1).await,
        names(&["view", "edit"])
    );
    assert_eq!(
        levels(&app, &pat, "form", a1).await,
        names(&["view", "edit"])
    );
    assert_eq!(
        levels(&app, &pat, "project", p1).await,
        names(&["view", "edit"]),
        "union of both grants"
    );
    assert_eq!(
        levels(&app, &pat, "task", t2).await,
        None,
        "other projects' tasks stay invisible"
    );
    assert_eq!(
        levels(&app, &pat, "employee", worker).await,
        None,
        "assignees are references, not contents"
    );

    // Expired grants give nothing.
    grant_sql(
        &app,
        "acme",
        ("employee", pat.id),
        ("project", Some(p3)),
        &[0, 1, 2, 3, 4],
        true,
        true,
    )
    .await;
    assert_eq!(levels(&app, &pat, "project", p3).await, None);

    // Role grants reach the role's members; `all` grants reach every instance.
    let role = entity(&app, "acme", "role", "d_role", "R-1").await;
    link(&app, "acme", ("role", role), ("employee", pat.id)).await;
    grant_sql(
        &app,
        "acme",
        ("role", role),
        ("project", None),
        &[3],
        false,
        false,
    )
    .await;
    assert_eq!(
        levels(&app, &pat, "project", p2).await,
        names(&["view", "delete"])
    );
    assert_eq!(
        levels(&app, &pat, "project", p1).await,
        names(&["view", "edit", "delete"])
    );
    // The summary counts role grants too.
    let with_role = app.get_as(&pat, "/api/v1/auth/permissions").await.json();
    let project_levels = with_role["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["entity_type"] == "project")
        .map(|t| t["levels"].clone());
    assert!(
        project_levels.is_some_and(|levels| levels.as_array().unwrap().contains(&json!("delete"))),
        "{with_role}"
    );
    // Leaving the role takes its grants away.
    app.exec(
        "UPDATE app.d_entity_id_map SET active_flag = false WHERE parent_entity_type = 'role'",
    )
    .await;
    assert_eq!(levels(&app, &pat, "project", p2).await, None);

    // Administrators hold everything; an id that does not exist is 404 even for them.
    assert_eq!(
        levels(&app, &admin, "task", t2).await,
        names(&["view", "edit", "share", "delete", "create"])
    );
    assert_eq!(levels(&app, &admin, "task", Uuid::new_v4()).await, None);

    // The summary lists the caller's own grants.
    let summary = app.get_as(&pat, "/api/v1/auth/permissions").await.json();
    assert_eq!(summary["tenant_admin"], false);
    assert_eq!(
        summary["instance_grants"].as_array().unwrap().len(),
        2,
        "expired grant excluded: {summary}"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn list_filter_pages_exactly_the_visible_rows(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    // 20 projects × 50 tasks, linked.
    app.exec(
        "INSERT INTO app.d_project (tenant_id, id, code, slug, name)
           SELECT 'acme', md5('p' || p)::uuid, 'P-' || p, 'p-' || p, 'Project ' || p FROM generate_series(1, 20) p;
         INSERT INTO app.d_task (tenant_id, id, code, slug, name)
           SELECT 'acme', md5('t' || t)::uuid, 'T-' || t, 't-' || t, 'Task ' || t FROM generate_series(1, 1000) t;
         INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
           SELECT 'acme', 'project', md5('p' || (1 + (t - 1) / 50))::uuid, 'task', md5('t' || t)::uuid FROM generate_series(1, 1000) t;",
    )
    .await;
    // Cascading grants on projects 3, 7, 11; instance grants on every 9th task of projects 15–20.
    let mut expected = HashSet::new();
    for p in [3, 7, 11] {
        let project = id_by_code(&app, "d_project", &format!("P-{p}")).await;
        grant_sql(
            &app,
            "acme",
            ("employee", pat.id),
            ("project", Some(project)),
            &[0],
            true,
            false,
        )
        .await;
        for t in (p - 1) * 50 + 1..=p * 50 {
            expected.insert(id_by_code(&app, "d_task", &format!("T-{t}")).await);
        }
    }
    for t in (701..=1000).step_by(9) {
        let task = id_by_code(&app, "d_task", &format!("T-{t}")).await;
        grant_sql(
            &app,
            "acme",
            ("employee", pat.id),
            ("task", Some(task)),
            &[0, 1],
            false,
            false,
        )
        .await;
        expected.insert(task);
    }
    // An expired grant must not count.
    let expired_project = id_by_code(&app, "d_project", "P-19").await;
    grant_sql(
        &app,
        "acme",
        ("employee", pat.id),
        ("project", Some(expired_project)),
        &[0],
        true,
        true,
    )
    .await;

    let user = current_user(&pat);
    assert!(
        !matches!(
            list_visibility(&app.pool, &user, EntityType::Task)
                .await
                .unwrap(),
            Visibility::Everything
        ),
        "pat holds no `all` grant on tasks: the filter applies"
    );
    // Both query shapes select exactly the visible rows: the one chosen for this caller (few
    // rows: their ids) and the scan shape used when many rows are visible.
    let chosen = list_visibility(&app.pool, &user, EntityType::Task)
        .await
        .unwrap();
    assert!(matches!(chosen, Visibility::Ids(_)), "{chosen:?}");
    for visibility in [chosen, Visibility::Dense(None)] {
        let mut seen = Vec::new();
        let mut cursor: Option<(String, Uuid)> = None;
        loop {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT t.name, t.id FROM app.d_task t WHERE t.tenant_id = ",
            );
            qb.push_bind("acme");
            push_visibility_filter(&mut qb, &user, EntityType::Task, "t", &visibility);
            if let Some((name, id)) = &cursor {
                qb.push(" AND (t.name, t.id) > (")
                    .push_bind(name.clone())
                    .push(", ")
                    .push_bind(*id)
                    .push(")");
            }
            qb.push(" ORDER BY t.name, t.id LIMIT 37");
            let page: Vec<(String, Uuid)> = qb.build_query_as().fetch_all(&app.pool).await.unwrap();
            if page.is_empty() {
                break;
            }
            cursor = page.last().cloned();
            seen.extend(page.into_iter().map(|(_, id)| id));
        }
        let unique: HashSet<Uuid> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "no row repeated across pages");
        assert_eq!(
            unique, expected,
            "{visibility:?}: exactly the visible rows, none skipped, none invisible"
        );
    }

    // An `all` grant lifts the filter entirely.
    grant_sql(
        &app,
        "acme",
        ("employee", pat.id),
        ("task", None),
        &[0],
        false,
        false,
    )
    .await;
    assert!(matches!(
        list_visibility(&app.pool, &user, EntityType::Task)
            .await
            .unwrap(),
        Visibility::Everything
    ));
}

/// Projects P-`first`…P-`last` in acme with `per_project` tasks each, numbered on from
/// T-`first_task`, updated three per second (ties broken by id), each linked to its project.
async fn projects_with_tasks(
    app: &TestApp,
    projects: std::ops::RangeInclusive<i32>,
    first_task: i32,
    per_project: i32,
) {
    let (first, last) = projects.into_inner();
    let last_task = first_task + (last - first + 1) * per_project - 1;
    app.exec(&format!(
        "INSERT INTO app.d_project (tenant_id, id, code, slug, name)
           SELECT 'acme', md5('p' || p)::uuid, 'P-' || p, 'p-' || p, 'Project ' || p
             FROM generate_series({first}, {last}) p;
         INSERT INTO app.d_task (tenant_id, id, code, slug, name, updated_ts)
           SELECT 'acme', md5('t' || t)::uuid, 'T-' || t, 't-' || t, 'Task ' || (t % 97),
                  timestamptz '2026-01-01' + ((t / 3) || ' seconds')::interval
             FROM generate_series({first_task}, {last_task}) t;
         INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
           SELECT 'acme', 'project', md5('p' || ({first} + (t - {first_task}) / {per_project}))::uuid,
                  'task', md5('t' || t)::uuid
             FROM generate_series({first_task}, {last_task}) t;"
    ))
    .await;
}

/// Tenant acme's 8 projects × 800 tasks (T-1…T-6400, updated three per second, ties broken by id;
/// T-2 and T-6398 deleted) and an office linked to three tasks of project 8, seen by `pat`
/// through cascading grants on projects 1–7, task grants in project 8 (one on a task of a granted
/// project, one on a deleted task) and a cascading grant on the office. Answers the tasks `pat`
/// may see.
async fn dense_caller(app: &TestApp, pat: &TestUser) -> HashSet<Uuid> {
    // 8 projects × 800 tasks, and an office linked to three tasks of project 8.
    projects_with_tasks(app, 1..=8, 1, 800).await;
    app.exec(
        "INSERT INTO app.d_office (tenant_id, id, code, slug, name, office_level)
           SELECT 'acme', md5('o1')::uuid, 'O-1', 'o-1', 'Office 1', min(level_id)
             FROM app.setting_datalabel_office_level WHERE tenant_id = 'acme';
         INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
           SELECT 'acme', 'office', md5('o1')::uuid, 'task', md5('t' || t)::uuid FROM unnest(ARRAY[5601, 6000, 6399]) t;
         UPDATE app.d_task SET active_flag = false, to_ts = now() WHERE code IN ('T-2', 'T-6398');",
    )
    .await;
    let mut expected = HashSet::new();
    for p in 1..=7 {
        let project = id_by_code(app, "d_project", &format!("P-{p}")).await;
        grant_sql(
            app,
            "acme",
            ("employee", pat.id),
            ("project", Some(project)),
            &[0],
            true,
            false,
        )
        .await;
        for t in (p - 1) * 800 + 1..=p * 800 {
            expected.insert(task_by_number(app, t).await);
        }
    }
    // Task grants in project 8, one in a granted project (seen once), one on a deleted task. The
    // repeat once cut the sparse decision's stream at 5,001 rows holding 5,000 distinct ids, which
    // it took for the whole visible set: 600 visible tasks were missing from every list.
    for t in (5601..=6400).step_by(7).chain([10, 6398]) {
        grant_sql(
            app,
            "acme",
            ("employee", pat.id),
            ("task", Some(task_by_number(app, t).await)),
            &[0],
            false,
            false,
        )
        .await;
        expected.insert(task_by_number(app, t).await);
    }
    let office = id_by_code(app, "d_office", "O-1").await;
    grant_sql(
        app,
        "acme",
        ("employee", pat.id),
        ("office", Some(office)),
        &[0],
        true,
        false,
    )
    .await;
    for t in [5601, 6000, 6399] {
        expected.insert(task_by_number(app, t).await);
    }
    for t in [2, 6398] {
        expected.remove(&task_by_number(app, t).await);
    }

    expected
}

/// A task created under a project changes what a sparse caller's id list holds, but not a dense
/// caller's cached answer: it names the reached projects, whose tasks pages read through the
/// task's project column. So the create makes only the id lists be read again
/// (`permissions::link_changed`). Grants written with SQL and no notification show which
/// answers were read again.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_task_created_under_a_project_renews_id_lists_and_keeps_dense_answers(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let sam = app.employee("acme", "sam").await;
    dense_caller(&app, &pat).await;
    let project_1 = id_by_code(&app, "d_project", "P-1").await;
    let project_8 = id_by_code(&app, "d_project", "P-8").await;
    grant_sql(
        &app,
        "acme",
        ("employee", sam.id),
        ("project", Some(project_1)),
        &[0],
        true,
        false,
    )
    .await;
    let sam_total = async || {
        let page = app
            .get_as(&sam, "/api/v1/task?limit=1&total=true")
            .await
            .json();
        page["total"].as_i64().unwrap()
    };
    // Pat's newest tasks, read by parts: the cascades' projects come from the cached answer.
    let pat_newest = async || {
        let page = app
            .get_as(&pat, "/api/v1/task?limit=3&sort=updated_ts&order=desc")
            .await
            .json();
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|task| task["code"].as_str().unwrap_or("new").to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        sam_total().await,
        799,
        "project 1's live tasks (T-2 is deleted)"
    );
    let before = pat_newest().await;
    assert!(!before.contains(&"T-6400".to_owned()), "{before:?}");

    // Unannounced: sam may see T-5602, and pat's cascade now covers project 8 (T-6400, newest).
    for (grantee, entity, id, cascade) in [
        (sam.id, "task", task_by_number(&app, 5602).await, false),
        (pat.id, "project", project_8, true),
    ] {
        sqlx::query(
            "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
             VALUES ('acme', 'employee', $1, $2::app.entity_type, $3, '{0}', $4)",
        )
        .bind(grantee)
        .bind(entity)
        .bind(id)
        .bind(cascade)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    assert_eq!(sam_total().await, 799, "cached");
    assert_eq!(pat_newest().await, before, "cached");

    let created = app
        .post_json(
            &format!("/api/v1/project/{project_1}/task"),
            Some(&admin),
            &json!({"name": "Fascia"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json());
    assert_eq!(
        sam_total().await,
        801,
        "sam's id list is read again: the new task and the unannounced grant"
    );
    assert_eq!(
        pat_newest().await,
        [
            created.json()["code"].as_str().unwrap(),
            &before[0],
            &before[1]
        ],
        "pat's dense answer is kept: the new task through its project, and not project 8"
    );
    app.forget_cached_access().await;
    let renewed = pat_newest().await;
    assert!(renewed.contains(&"T-6400".to_owned()), "{renewed:?}");
}

/// A caller who sees thousands of tasks through a few cascading project grants, plus a few task
/// grants and an office's links: every list shape (per-project branches for the order their index
/// delivers, the filtered scan for any other) pages exactly the visible rows, in order.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn dense_callers_page_exactly_the_visible_rows_in_every_shape(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let expected = dense_caller(&app, &pat).await;
    // Another tenant holds a task under every id acme uses (ids are unique per tenant only, and
    // `d_task_id_hash` has no tenant column): a page that read one of them would repeat its id.
    app.tenant_with_admin("globex").await;
    app.exec(
        "INSERT INTO app.d_task (tenant_id, id, code, slug, name, updated_ts)
           SELECT 'globex', id, code, slug, name, updated_ts FROM app.d_task WHERE tenant_id = 'acme'",
    )
    .await;
    assert_dense_pages(&app, &pat, 7, &expected).await;

    // The admin sees every live task; the parts shape is only ever a caller's.
    let all = app
        .get_as(&admin, "/api/v1/task?limit=1&total=true")
        .await
        .json();
    assert_eq!(all["total"], 6398);

    // Past `PARENT_BRANCHES_MAX` (8) parents, one branch walks them laterally instead of one
    // branch each: project 8 and two small new ones granted too make 10.
    projects_with_tasks(&app, 9..=10, 6401, 10).await;
    for p in 8..=10 {
        let project = id_by_code(&app, "d_project", &format!("P-{p}")).await;
        grant_sql(
            &app,
            "acme",
            ("employee", pat.id),
            ("project", Some(project)),
            &[0],
            true,
            false,
        )
        .await;
    }
    let mut expected = expected;
    for t in (5601..=6420).filter(|t| *t != 6398) {
        expected.insert(task_by_number(&app, t).await);
    }
    assert_dense_pages(&app, &pat, 10, &expected).await;
}

/// A dense caller's page and picker read by parts run on the second pool, whose connections plan
/// each statement once (generic) instead of five custom plans per connection first; nothing
/// else goes there, so pickers matching a pattern keep the custom plans that see it.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn pages_read_by_parts_run_on_cached_generic_plans(pool: PgPool) {
    // One connection, so every statement's plan counts land on it.
    let app = TestApp::spawn_with(pool, |config| config.database.cached_plan_connections = 1).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    dense_caller(&app, &pat).await;
    let mode = |pool: PgPool| async move {
        sqlx::query_scalar::<_, String>("SHOW plan_cache_mode")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(mode(app.pool.clone()).await, "auto");

    let list = "/api/v1/task?limit=50&sort=updated_ts&order=desc";
    let picker = "/api/v1/entity/task/options?q=Task%201";
    // A search's words, and a misspelling (found only by the search's second half).
    let searches = ["/api/v1/search?q=Task%201", "/api/v1/search?q=Tasc"];
    let ok = |response: crate::helpers::TestResponse| assert_eq!(response.status, StatusCode::OK);
    for path in [list, picker, "/api/v1/task?q=Task%201&total=true"]
        .into_iter()
        .chain(searches)
    {
        ok(app.get_as(&admin, path).await);
    }
    assert_eq!(
        app.cached_plans.size(),
        0,
        "the admin's reads are not by parts"
    );
    // A count is not read by parts either: `total` goes to the main pool.
    let counted = app.get_as(&pat, &format!("{list}&total=true")).await.json();
    assert!(
        counted["total"].as_i64().unwrap() > 5_000,
        "{}",
        counted["total"]
    );
    for _ in 0..2 {
        ok(app.get_as(&pat, list).await);
        ok(app.get_as(&pat, picker).await);
    }
    assert_eq!(app.cached_plans.size(), 1);
    assert_eq!(mode(app.cached_plans.clone()).await, "force_generic_plan");
    let plans: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
          WHERE statement LIKE '%SELECT DISTINCT id, k%'
            AND statement NOT LIKE '%pg_prepared_statements%' ORDER BY statement",
    )
    .fetch_all(&app.cached_plans)
    .await
    .unwrap();
    let counts: Vec<(bool, i64, i64)> = plans
        .iter()
        .map(|(sql, generic, custom)| (sql.starts_with("SELECT r.*"), *generic, *custom))
        .collect();
    // (the list's page?, generic plans, custom plans): the list's statement, then the picker's.
    assert_eq!(counts, [(true, 3, 0), (false, 2, 0)], "{plans:?}");

    // A search runs there too, one statement on its generic plan, with the search's settings.
    // (The fixture's SQL wrote no registry rows, which search reads.)
    app.exec(
        "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
           SELECT tenant_id, 'task', id, name, code, slug FROM app.d_task WHERE tenant_id = 'acme'",
    )
    .await;
    for path in searches {
        let hits = app.get_as(&pat, path).await.json();
        assert!(
            hits["data"][0]["name"]
                .as_str()
                .is_some_and(|name| name.starts_with("Task")),
            "{path}: {hits}"
        );
    }
    let plans: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements
          WHERE statement LIKE 'WITH words%'",
    )
    .fetch_all(&app.cached_plans)
    .await
    .unwrap();
    assert_eq!(plans, [(2, 0)]);
    for (name, value) in pmo::search::SEARCH_SETTINGS {
        let shown: String = sqlx::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(&app.cached_plans)
            .await
            .unwrap();
        assert_eq!(shown, value);
    }
}

/// Checks that `user`'s visible tasks split into parts under `parents` projects, and that every
/// list order and the picker page exactly the `expected` tasks.
async fn assert_dense_pages(
    app: &TestApp,
    user: &TestUser,
    parents: usize,
    expected: &HashSet<Uuid>,
) {
    match list_visibility(&app.pool, &current_user(user), EntityType::Task)
        .await
        .unwrap()
    {
        Visibility::Dense(Some(parts)) => {
            assert_eq!(parts.parents.len(), parents, "{parts:?}");
            assert_eq!(parts.parent_column, "project_id");
        }
        other => panic!("{parents} projects and a few ids split into parts, not {other:?}"),
    }
    // (sort, order): updated_ts and name read per project; code is the filtered scan.
    for (sort, order) in [
        ("updated_ts", "desc"),
        ("updated_ts", "asc"),
        ("name", "asc"),
        ("name", "desc"),
        ("code", "asc"),
    ] {
        assert_pages_exactly(app, user, (sort, order, 200), expected).await;
    }
    // The picker reads the same parts in name order: exactly the visible matches, first by name.
    assert_eq!(
        assert_picker(app, user, "Task 1", expected).await,
        100,
        "enough visible matches to fill the page"
    );
}

/// "My tasks" newest first or by name, and the task picker, walk the caller's task grants in that
/// order (copies of each task's `updated_ts`, `lower(name)` and `lower(code)` on its grants,
/// migrations 0058 and 0060) and stop when the page is full, so the copies must follow every
/// change: tasks updated and renamed through the API and in SQL, grants made through the API and
/// in SQL, revoked, expired, held twice and held through a role. After each change every page, in
/// both directions and both orders, must hold exactly the visible tasks in the admin's order, and
/// a picker exactly the visible matches.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn grant_walked_pages_follow_task_updates_and_grant_changes(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let mut expected = dense_caller(&app, &pat).await;
    // A role pat holds, with task grants in project 8 (T-5603 + 11k), one on a task pat's own
    // grant names too (T-5608) and one on a task of a granted project (T-10, also pat's).
    let role = entity(&app, "acme", "role", "d_role", "R-1").await;
    link(&app, "acme", ("role", role), ("employee", pat.id)).await;
    for t in (5603..=6400).step_by(11).chain([5608, 10]) {
        let task = task_by_number(&app, t).await;
        grant_sql(
            &app,
            "acme",
            ("role", role),
            ("task", Some(task)),
            &[0],
            false,
            false,
        )
        .await;
        expected.insert(task);
    }
    match list_visibility(&app.pool, &current_user(&pat), EntityType::Task)
        .await
        .unwrap()
    {
        Visibility::Dense(Some(parts)) => {
            assert_eq!(parts.grantees, [("employee", pat.id), ("role", role)]);
            assert_eq!(parts.reached_ids.len(), 3, "the office's three tasks");
        }
        other => panic!("a dense caller split into parts, not {other:?}"),
    }
    assert_grant_order(&app, &pat, &expected).await;

    // Updates move tasks: an old one of pat's through the API, a role's to the top and another
    // role's to the bottom in SQL.
    patch_task(&app, &admin, 5608, json!({"descr": "moved up"})).await;
    app.exec(
        "UPDATE app.d_task SET updated_ts = now() + interval '1 hour' WHERE tenant_id = 'acme' AND code = 'T-5614';
         UPDATE app.d_task SET updated_ts = timestamptz '2025-01-01' WHERE tenant_id = 'acme' AND code = 'T-6395';",
    )
    .await;
    let first = app
        .get_as(&pat, "/api/v1/task?limit=2&sort=updated_ts&order=desc")
        .await
        .json();
    let first: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["code"].as_str().unwrap())
        .collect();
    assert_eq!(first, ["T-5614", "T-5608"], "updated tasks come first");
    assert_grant_order(&app, &pat, &expected).await;

    // Grant changes: pat's grant on T-5615 revoked through the API (gone), pat's own on T-5608
    // revoked in SQL (still the role's), the role's on T-5625 expired (gone), and a new grant on
    // T-5700 through the API, whose task is then updated to the top.
    let grant_of = |grantee: Uuid, number: i32| {
        let app = &app;
        async move {
            let task = task_by_number(app, number).await;
            let id: Uuid = sqlx::query_scalar(
                "SELECT id FROM app.d_entity_id_rbac_map
                  WHERE tenant_id = 'acme' AND grantee_id = $1 AND entity_id = $2 AND active_flag",
            )
            .bind(grantee)
            .bind(task)
            .fetch_one(&app.pool)
            .await
            .unwrap();
            (id, task)
        }
    };
    let (revoked, t5615) = grant_of(pat.id, 5615).await;
    let response = app
        .delete_as(&admin, &format!("/api/v1/rbac/grants/{revoked}"))
        .await;
    assert!(response.status.is_success(), "{:?}", response.status);
    expected.remove(&t5615);
    let (own_5608, _) = grant_of(pat.id, 5608).await;
    let (expiring, t5625) = grant_of(role, 5625).await;
    app.exec(&format!(
        "UPDATE app.d_entity_id_rbac_map SET active_flag = false, revoked_ts = now() WHERE id = '{own_5608}';
         UPDATE app.d_entity_id_rbac_map SET expires_ts = now() - interval '1 second' WHERE id = '{expiring}';"
    ))
    .await;
    expected.remove(&t5625);
    let t5700 = task_by_number(&app, 5700).await;
    assert!(!expected.contains(&t5700));
    // The grant API checks the task exists in the registry, which the fixture's SQL skipped.
    app.exec(
        "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
           SELECT tenant_id, 'task', id, name, code, slug FROM app.d_task WHERE tenant_id = 'acme' AND code = 'T-5700'",
    )
    .await;
    let response = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(&admin),
            &json!({"grantee_type": "employee", "grantee_id": pat.id, "entity_type": "task",
                    "entity_id": t5700, "levels": [0]}),
        )
        .await;
    assert_eq!(
        response.status,
        StatusCode::CREATED,
        "{:?}",
        response.json()
    );
    expected.insert(t5700);
    assert_grant_order(&app, &pat, &expected).await;
    app.exec(
        "UPDATE app.d_task SET updated_ts = now() + interval '2 hours' WHERE tenant_id = 'acme' AND code = 'T-5700'",
    )
    .await;
    assert_grant_order(&app, &pat, &expected).await;
    let top = app
        .get_as(&pat, "/api/v1/task?limit=1&sort=updated_ts&order=desc")
        .await
        .json();
    assert_eq!(top["data"][0]["code"], "T-5700");

    // Renames move tasks in name order and in or out of a picker's matches: T-5622 (pat's grant)
    // renamed through the API, T-5629 (pat's) renamed in SQL without touching updated_ts, T-5636
    // (pat's) given a matching code in SQL, and T-5614 (the role's) renamed to match, then away.
    patch_task(&app, &admin, 5622, json!({"name": "Zebra crossing"})).await;
    app.exec(
        "UPDATE app.d_task SET name = 'zebra two' WHERE tenant_id = 'acme' AND code = 'T-5629';
         UPDATE app.d_task SET code = 'ZEB-3' WHERE tenant_id = 'acme' AND code = 'T-5636';
         UPDATE app.d_task SET name = 'Zebra gone' WHERE tenant_id = 'acme' AND code = 'T-5614';",
    )
    .await;
    assert_eq!(
        assert_picker(&app, &pat, "ZEB", &expected).await,
        4,
        "the three renamed tasks and the recoded one"
    );
    app.exec(
        "UPDATE app.d_task SET name = 'Aardvark' WHERE tenant_id = 'acme' AND code = 'T-5614'",
    )
    .await;
    assert_eq!(assert_picker(&app, &pat, "zeb", &expected).await, 3);
    assert_eq!(assert_picker(&app, &pat, "aardvark", &expected).await, 1);
    assert_grant_order(&app, &pat, &expected).await;
}

/// Pages through `user`'s tasks both ways, by `updated_ts` (50 a page) and by name (200 a page),
/// against `expected`, and checks the copies the walks read: every active task grant holds its
/// task's `updated_ts`, `lower(name)` and `lower(code)`.
async fn assert_grant_order(app: &TestApp, user: &TestUser, expected: &HashSet<Uuid>) {
    for order in ["desc", "asc"] {
        assert_pages_exactly(app, user, ("updated_ts", order, 50), expected).await;
        assert_pages_exactly(app, user, ("name", order, 200), expected).await;
    }
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_entity_id_rbac_map g JOIN app.d_task t
            ON t.tenant_id = g.tenant_id AND t.id = g.entity_id
         WHERE g.entity_type = 'task' AND g.active_flag
           AND (g.target_updated_ts, g.target_name_lower, g.target_code_lower)
               IS DISTINCT FROM (t.updated_ts, lower(t.name), lower(t.code))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        stale, 0,
        "task grants whose copies of the task's keys are stale"
    );
}

/// PATCHes task T-`number` through the API as `user`, at its current version.
async fn patch_task(app: &TestApp, user: &TestUser, number: i32, mut body: Value) {
    let task = task_by_number(app, number).await;
    let path = format!("/api/v1/task/{task}");
    body["version"] = app.get_as(user, &path).await.json()["version"].clone();
    let response = crate::records::patch(app, user, &path, body).await;
    assert_eq!(response.status, StatusCode::OK, "{:?}", response.json());
}

/// Checks that `user`'s task picker for `q` (100 a page) offers exactly the first of the
/// `expected` tasks whose name or code contains `q`, in name order; returns how many it offered.
async fn assert_picker(app: &TestApp, user: &TestUser, q: &str, expected: &HashSet<Uuid>) -> usize {
    let visible: Vec<Uuid> = expected.iter().copied().collect();
    let matching: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM app.d_task WHERE tenant_id = 'acme' AND active_flag AND id = ANY($1)
           AND (lower(name) LIKE '%' || lower($2) || '%' OR lower(code) LIKE '%' || lower($2) || '%')
         ORDER BY lower(name), id LIMIT 100",
    )
    .bind(&visible)
    .bind(q)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let options = app
        .get_as(
            user,
            &format!(
                "/api/v1/entity/task/options?q={}&limit=100",
                q.replace(' ', "%20")
            ),
        )
        .await
        .json();
    let offered: Vec<Uuid> = options["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| Uuid::parse_str(row["id"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        offered, matching,
        "options for {q:?}: the visible matches in name order"
    );
    offered.len()
}

/// Pages through `user`'s tasks (`sort`, `order`, `limit` rows a page) and checks that they are
/// exactly `expected`, each once, in the order the admin's unfiltered list of the same rows has.
async fn assert_pages_exactly(
    app: &TestApp,
    user: &TestUser,
    (sort, order, limit): (&str, &str, u32),
    expected: &HashSet<Uuid>,
) {
    let mut seen: Vec<Uuid> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/task?limit={limit}&sort={sort}&order={order}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get_as(user, &path).await.json();
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| Uuid::parse_str(row["id"].as_str().unwrap()).unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<Uuid> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "{sort} {order}: no row repeated");
    assert_eq!(
        &unique, expected,
        "{sort} {order}: exactly the visible rows"
    );
    // The admin's unfiltered list of the same rows, in the same order, is the reference.
    let sql = format!(
        "SELECT id FROM app.d_task WHERE tenant_id = 'acme' AND active_flag AND id = ANY($1)
         ORDER BY {} {order}, id {order}",
        if sort == "name" { "lower(name)" } else { sort }
    );
    let ordered: Vec<Uuid> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(&seen)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        seen, ordered,
        "{sort} {order}: pages in order across branches"
    );
}

pub fn current_user(user: &TestUser) -> CurrentUser {
    CurrentUser {
        tenant_id: user.tenant.clone(),
        employee_id: user.id,
        session_id: Uuid::nil(),
        tenant_admin: false,
        name: user.email.clone(),
        email: user.email.clone(),
        cache: None,
    }
}

async fn task_by_number(app: &TestApp, number: i32) -> Uuid {
    id_by_code(app, "d_task", &format!("T-{number}")).await
}

async fn id_by_code(app: &TestApp, table: &str, code: &str) -> Uuid {
    let sql = format!("SELECT id FROM app.{table} WHERE tenant_id = 'acme' AND code = $1");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn grant_api_validates_checks_rights_and_audits(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let sam = app.employee("acme", "sam").await;
    let other_admin = app.tenant_with_admin("other").await;
    let project = entity(&app, "acme", "project", "d_project", "P-1").await;
    let foreign_project = entity(&app, "other", "project", "d_project", "P-1").await;

    let grant = |grantee: Uuid, body: Value| {
        let mut body = body;
        body["grantee_type"] = json!("employee");
        body["grantee_id"] = json!(grantee);
        body
    };
    // Bad input: 422 with the field named, nothing written.
    let cases = [
        (
            grant(pat.id, json!({"entity_type": "spaceship", "levels": [0]})),
            "entity_type",
        ),
        (
            grant(pat.id, json!({"entity_type": "project", "levels": [7]})),
            "levels",
        ),
        (
            grant(pat.id, json!({"entity_type": "project", "levels": []})),
            "levels",
        ),
        (
            grant(
                pat.id,
                json!({"entity_type": "project", "entity_id": Uuid::new_v4(), "levels": [0]}),
            ),
            "entity_id",
        ),
        (
            grant(
                pat.id,
                json!({"entity_type": "project", "entity_id": foreign_project, "levels": [0]}),
            ),
            "entity_id",
        ),
        (
            grant(
                pat.id,
                json!({"entity_type": "project", "levels": [0], "cascade": true}),
            ),
            "cascade",
        ),
        (
            grant(
                pat.id,
                json!({"entity_type": "project", "levels": [0], "expires_ts": "2001-01-01T00:00:00Z"}),
            ),
            "expires_ts",
        ),
        (
            grant(
                other_admin.id,
                json!({"entity_type": "project", "levels": [0]}),
            ),
            "grantee_id",
        ),
    ];
    for (body, field) in cases {
        let response = app
            .post_json("/api/v1/rbac/grants", Some(&admin), &body)
            .await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert!(
            error["error"]["details"]["fields"][field].is_string(),
            "{field}: {error}"
        );
    }
    let malformed = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(&admin),
            &json!({"grantee_type": "robot"}),
        )
        .await;
    assert!(malformed.status.is_client_error());
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM app.d_entity_id_rbac_map")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);

    // Granting needs Share, and only levels the grantor holds can be passed on.
    let view_edit = grant(
        sam.id,
        json!({"entity_type": "project", "entity_id": project, "levels": [0, 1]}),
    );
    app.post_json("/api/v1/rbac/grants", Some(&pat), &view_edit)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let created = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(&admin),
            &grant(
                pat.id,
                json!({"entity_type": "project", "entity_id": project, "levels": [0, 2]}),
            ),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let pat_grant = created.json();
    assert_eq!(pat_grant["levels"], json!(["view", "share"]));
    app.post_json("/api/v1/rbac/grants", Some(&pat), &view_edit)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let view_only = grant(
        sam.id,
        json!({"entity_type": "project", "entity_id": project, "levels": [0]}),
    );
    let passed_on = app
        .post_json("/api/v1/rbac/grants", Some(&pat), &view_only)
        .await;
    assert_eq!(passed_on.status, StatusCode::CREATED);
    assert_eq!(
        levels(&app, &sam, "project", project).await,
        names(&["view"])
    );
    // Not cascading: pat's own grant does not cascade, so pat cannot hand out a cascade.
    let cascade = grant(
        sam.id,
        json!({"entity_type": "project", "entity_id": project, "levels": [0], "cascade": true}),
    );
    app.post_json("/api/v1/rbac/grants", Some(&pat), &cascade)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let all_projects = grant(sam.id, json!({"entity_type": "project", "levels": [0]}));
    app.post_json("/api/v1/rbac/grants", Some(&pat), &all_projects)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // Granting again replaces levels (200), never duplicates.
    let regrant = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(&admin),
            &grant(
                pat.id,
                json!({"entity_type": "project", "entity_id": project, "levels": [0, 1, 2]}),
            ),
        )
        .await;
    assert_eq!(regrant.status, StatusCode::OK);
    assert_eq!(regrant.json()["id"], pat_grant["id"]);

    // Listing: own grants, or those of an instance one may share; everything for admins.
    let own = app
        .get_as(
            &sam,
            &format!(
                "/api/v1/rbac/grants?grantee_type=employee&grantee_id={}",
                sam.id
            ),
        )
        .await;
    assert_eq!(own.json()["data"].as_array().unwrap().len(), 1);
    app.get_as(&sam, "/api/v1/rbac/grants")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let on_project = app
        .get_as(
            &pat,
            &format!("/api/v1/rbac/grants?entity_type=project&entity_id={project}"),
        )
        .await;
    assert_eq!(on_project.json()["data"].as_array().unwrap().len(), 2);
    let all = app
        .get_as(&admin, "/api/v1/rbac/grants?limit=1")
        .await
        .json();
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    assert!(all["next_cursor"].is_string());
    app.get_as(&admin, "/api/v1/rbac/grants?limit=0")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    app.get_as(&admin, "/api/v1/rbac/grants?entity_type=spaceship")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");

    // Revoking: other tenants' grants do not exist; a revoked grant stops working at once.
    let sam_grant = passed_on.json()["id"].as_str().unwrap().to_owned();
    app.delete_as(&other_admin, &format!("/api/v1/rbac/grants/{sam_grant}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    app.delete_as(&admin, "/api/v1/rbac/grants/not-a-uuid")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    assert_eq!(
        app.delete_as(&pat, &format!("/api/v1/rbac/grants/{sam_grant}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(levels(&app, &sam, "project", project).await, None);
    app.delete_as(&pat, &format!("/api/v1/rbac/grants/{sam_grant}"))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");

    let audited: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM app.audit_log WHERE action LIKE 'rbac.%' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        vec!["rbac.grant", "rbac.grant", "rbac.grant", "rbac.revoke"]
    );
    let other_tenant_grants: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_entity_id_rbac_map WHERE tenant_id = 'other'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(other_tenant_grants, 0);

    // Checking someone else's levels is for administrators.
    let check = format!(
        "/api/v1/rbac/check?entity_type=project&entity_id={project}&employee_id={}",
        pat.id
    );
    app.get_as(&sam, &check)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(
        app.get_as(&admin, &check).await.json()["levels"],
        json!(["view", "edit", "share"])
    );
}

/// A list never holds one pooled connection while waiting for another: with more concurrent
/// lists than connections, every one still finishes (a nested acquire would deadlock the pool
/// until its timeout).
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn concurrent_filtered_lists_never_starve_a_small_pool(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let project = crate::linkage::create(&app, &admin, "project", json!({ "name": "Roof" })).await;
    crate::linkage::grant(&app, &admin, pat.id, "project", Some(project), &[0], true).await;
    let small = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(std::time::Duration::from_secs(3))
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let small_cached_plans = pmo::db::cached_plan_pool(
        &small,
        &pmo::config::DatabaseConfig {
            cached_plan_connections: 2,
            acquire_timeout_secs: 3,
            ..Default::default()
        },
        pmo::db::Keep::OnDemand,
    );
    let user = current_user(&pat);
    let def = EntityType::Project.registry();
    let request =
        pmo::entity::records::parse_list_request(def, &std::collections::HashMap::new()).unwrap();
    let key = pmo::entity::records::FieldKey(String::new());
    let lists = (0..8).map(|_| {
        pmo::entity::records::list_records(
            &small,
            &small_cached_plans,
            &user,
            def,
            pmo::entity::records::Scope::All,
            &request,
            &key,
        )
    });
    for page in futures::future::join_all(lists).await {
        let page = page.expect("no list waits out the pool");
        let data: Vec<serde_json::Value> = serde_json::from_slice(&page.data).unwrap();
        assert_eq!(data.len(), 1);
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn sharers_can_name_grantees_and_nobody_else_can(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    app.employee("acme", "sam").await;
    let other = app.tenant_with_admin("other").await;
    app.employee("other", "outsider").await;
    let project = crate::linkage::create(&app, &admin, "project", json!({ "name": "Roof" })).await;
    crate::linkage::create(&app, &admin, "role", json!({ "name": "Site leads" })).await;

    // Without Share on anything: refused, even though pat may view the project.
    crate::linkage::grant(&app, &admin, pat.id, "project", Some(project), &[0], false).await;
    app.get_as(&pat, "/api/v1/rbac/grantees")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    // With Share on one project: employees and roles by name or code, of acme only.
    crate::linkage::grant(
        &app,
        &admin,
        pat.id,
        "project",
        Some(project),
        &[0, 2],
        false,
    )
    .await;
    let names = |body: Value| -> Vec<(String, String)> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["grantee_type"].as_str().unwrap().to_owned(),
                    g["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let all = names(
        app.get_as(&pat, "/api/v1/rbac/grantees?limit=50")
            .await
            .json(),
    );
    assert!(
        all.contains(&("role".to_owned(), "Site leads".to_owned())),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|(kind, name)| kind == "employee" && name.contains("sam")),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|(_, name)| name.contains("outsider")),
        "{all:?}"
    );
    let found = names(app.get_as(&pat, "/api/v1/rbac/grantees?q=SAM").await.json());
    assert_eq!(found.len(), 1, "{found:?}");
    let roles = names(
        app.get_as(&pat, "/api/v1/rbac/grantees?grantee_type=role")
            .await
            .json(),
    );
    assert_eq!(roles, vec![("role".to_owned(), "Site leads".to_owned())]);
    // And the grant itself goes through for what pat holds.
    let granted = app
        .post_json(
            "/api/v1/rbac/grants",
            Some(&pat),
            &json!({ "grantee_type": "employee", "grantee_id": found_id(&app, &pat, "sam").await,
                     "entity_type": "project", "entity_id": project, "levels": [0] }),
        )
        .await;
    assert_eq!(
        granted.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&granted.body)
    );

    // Bad input; other tenants see only their own people.
    app.get_as(&pat, "/api/v1/rbac/grantees?limit=51")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    app.get_as(&pat, "/api/v1/rbac/grantees?color=red")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    let theirs = names(
        app.get_as(&other, "/api/v1/rbac/grantees?limit=50")
            .await
            .json(),
    );
    assert!(
        theirs
            .iter()
            .all(|(_, name)| !name.contains("pat") && !name.contains("sam")),
        "{theirs:?}"
    );
}

async fn found_id(app: &TestApp, user: &TestUser, q: &str) -> Uuid {
    app.get_as(user, &format!("/api/v1/rbac/grantees?q={q}"))
        .await
        .json()["data"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}
