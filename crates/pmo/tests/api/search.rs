//! Global search (`/api/v1/search`) and picker options (`/api/v1/entity/{entity}/options`):
//! matching, ranking, visibility through grants, tenant isolation and hostile input.

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};
use crate::linkage::{create, grant};
use crate::permissions::current_user;
use pmo::auth::permissions::{Visibility, pair_visibility};
use pmo::entity::EntityType;

/// Percent-encodes a query-string value.
fn enc(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let response = app.get_as(user, &format!("/api/v1/search?{query}")).await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "{query}: {}",
        String::from_utf8_lossy(&response.body)
    );
    response.json()
}

fn hit_names(results: &Value) -> Vec<String> {
    results["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["name"].as_str().unwrap().to_owned())
        .collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

async fn code_of(app: &TestApp, user: &TestUser, entity: &str, id: Uuid) -> String {
    app.get_as(user, &format!("/api/v1/{entity}/{id}"))
        .await
        .json()["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn search_matches_prefixes_codes_and_misspellings(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let project = create(
        &app,
        &admin,
        "project",
        json!({ "name": "Heat pump install" }),
    )
    .await;
    let task = create(&app, &admin, "task", json!({ "name": "Heat pump service" })).await;
    create(&app, &admin, "client", json!({ "name": "Heather Mills" })).await;
    create(&app, &admin, "task", json!({ "name": "Boiler retrofit" })).await;
    let gone = create(&app, &admin, "task", json!({ "name": "Heat pump removal" })).await;
    assert_eq!(
        app.delete_as(&admin, &format!("/api/v1/task/{gone}"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );

    // Word prefixes, in any case.
    let results = search(&app, &admin, &format!("q={}", enc("heat pu"))).await;
    assert_eq!(
        sorted(hit_names(&results)),
        ["Heat pump install", "Heat pump service"],
        "deleted records never appear"
    );
    let first = &results["data"][0];
    assert!(first["entity_type"].is_string() && first["id"].is_string());
    assert!(first["code"].is_string() && first["rank"].is_number());
    let results = search(&app, &admin, "q=HEAT").await;
    assert_eq!(hit_names(&results).len(), 3, "{results}");

    // An exact code comes first.
    let code = code_of(&app, &admin, "task", task).await;
    let results = search(&app, &admin, &format!("q={}", enc(&code.to_lowercase()))).await;
    assert_eq!(results["data"][0]["id"], json!(task), "{results}");
    assert!(results["data"][0]["rank"].as_f64().unwrap() >= 2.0);

    // Types narrow the search; a close misspelling still finds the name.
    let results = search(
        &app,
        &admin,
        &format!("q={}&types=project,client", enc("heat")),
    )
    .await;
    assert_eq!(
        sorted(hit_names(&results)),
        ["Heat pump install", "Heather Mills"]
    );
    let results = search(&app, &admin, &format!("q={}", enc("hete pump"))).await;
    assert!(
        results["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|hit| hit["id"] == json!(project)),
        "{results}"
    );
    let results = search(&app, &admin, "q=heat&limit=1").await;
    assert_eq!(results["data"].as_array().unwrap().len(), 1);

    // Hostile input is just text: never a 500, never tsquery syntax.
    for q in [
        "'):*|&!",
        "heat:* | boiler",
        "!heat",
        "(heat",
        "heat <-> pump",
        "a' OR '1'='1",
        "\\",
        "%",
        "_",
        "''",
        "&&&",
        "'; DROP TABLE app.d_task; --",
        "ünïcödé 東京",
        "-",
        "*",
    ] {
        search(&app, &admin, &format!("q={}", enc(q))).await;
    }
    // A literal % only matches a literal %.
    let results = search(&app, &admin, &format!("q={}", enc("%"))).await;
    assert!(results["data"].as_array().unwrap().is_empty(), "{results}");

    // Bad requests are 400.
    for query in [
        "",
        "q=",
        "q=%20%20",
        &format!("q={}", "x".repeat(201)),
        "q=heat&limit=0",
        "q=heat&limit=51",
        "q=heat&types=projects",
        "q=heat&types=",
        "q=heat&sort=name",
    ] {
        app.get_as(&admin, &format!("/api/v1/search?{query}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    app.get("/api/v1/search?q=heat")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn hits_rank_exact_then_starting_then_word_then_substring_shortest_first(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    // Created in an order unlike the expected one, so only the ranking can produce it.
    for name in [
        "Reboiler parts",
        "Old boiler check",
        "Boiler room survey",
        "Boiler",
        "Gas boiler",
        "Boiler fix",
    ] {
        create(&app, &admin, "task", json!({ "name": name })).await;
    }
    let results = search(&app, &admin, "q=boiler").await;
    assert_eq!(
        hit_names(&results),
        [
            "Boiler",     // the exact name
            "Boiler fix", // starts with it, shorter first
            "Boiler room survey",
            "Gas boiler", // a word starts with it, shorter first
            "Old boiler check",
            "Reboiler parts", // only a substring
        ],
        "{results}"
    );
    let ranks: Vec<f64> = results["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["rank"].as_f64().unwrap())
        .collect();
    assert_eq!(ranks, [1.75, 0.75, 0.75, 0.25, 0.25, 0.0]);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn search_shows_only_what_grants_reach(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let tower = create(&app, &admin, "project", json!({ "name": "Alpha tower" })).await;
    create(&app, &admin, "project", json!({ "name": "Alpha bridge" })).await;
    let wiring = app
        .post_json(
            &format!("/api/v1/project/{tower}/task"),
            Some(&admin),
            &json!({ "name": "Alpha wiring" }),
        )
        .await;
    assert_eq!(wiring.status, StatusCode::CREATED);
    create(&app, &admin, "task", json!({ "name": "Alpha paint" })).await;
    let other = app.tenant_with_admin("other").await;
    create(&app, &other, "project", json!({ "name": "Alpha foreign" })).await;

    // Nothing granted: nothing found.
    assert!(hit_names(&search(&app, &pat, "q=alpha").await).is_empty());

    // A cascading grant on one project: the project and what it contains.
    grant(&app, &admin, pat.id, "project", Some(tower), &[0], true).await;
    assert_eq!(
        sorted(hit_names(&search(&app, &pat, "q=alpha").await)),
        ["Alpha tower", "Alpha wiring"]
    );
    // An `all` grant on projects: every project, still only the reachable tasks.
    grant(&app, &admin, pat.id, "project", None, &[0], false).await;
    assert_eq!(
        sorted(hit_names(&search(&app, &pat, "q=alpha").await)),
        ["Alpha bridge", "Alpha tower", "Alpha wiring"]
    );
    assert_eq!(
        sorted(hit_names(&search(&app, &pat, "q=alpha&types=task").await)),
        ["Alpha wiring"]
    );
    // Misspellings respect visibility too.
    assert_eq!(
        hit_names(&search(&app, &pat, &format!("q={}", enc("alpah pain"))).await),
        Vec::<String>::new()
    );

    // Tenants never see each other's records.
    assert_eq!(
        sorted(hit_names(&search(&app, &admin, "q=alpha").await)),
        ["Alpha bridge", "Alpha paint", "Alpha tower", "Alpha wiring"]
    );
    assert_eq!(
        hit_names(&search(&app, &other, "q=alpha").await),
        ["Alpha foreign"]
    );
}

/// Search reads one branch per type the caller sees anything of, in the shape of that type's
/// visibility: a few ids probed, many ids tested after the text index, a dense set split into
/// reached projects and named ids, a dense set built once, a type seen in full. Each caller below
/// holds several of them at once; words and misspellings alike find exactly the visible matches.
#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn search_finds_exactly_the_visible_matches_in_every_visibility_shape(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let sam = app.employee("acme", "sam").await;
    // 80 projects of 80 tasks each, and 100 clients: one project and one client in ten, and one
    // task in 200, are named "Kiln …".
    app.exec(
        "INSERT INTO app.d_project (tenant_id, id, code, slug, name)
           SELECT 'acme', md5('p' || p)::uuid, 'P-' || p, 'p-' || p,
                  CASE WHEN p % 10 = 0 THEN 'Kiln project ' ELSE 'Project ' END || p
             FROM generate_series(1, 80) p;
         INSERT INTO app.d_task (tenant_id, id, code, slug, name)
           SELECT 'acme', md5('t' || t)::uuid, 'T-' || t, 't-' || t,
                  CASE WHEN t % 200 = 0 THEN 'Kiln task ' ELSE 'Task ' END || t
             FROM generate_series(1, 6400) t;
         INSERT INTO app.d_entity_id_map (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id)
           SELECT 'acme', 'project', md5('p' || (1 + (t - 1) / 80))::uuid, 'task', md5('t' || t)::uuid
             FROM generate_series(1, 6400) t;
         INSERT INTO app.d_client (tenant_id, id, code, slug, name)
           SELECT 'acme', md5('c' || c)::uuid, 'C-' || c, 'c-' || c,
                  CASE WHEN c % 10 = 0 THEN 'Kiln client ' ELSE 'Client ' END || c
             FROM generate_series(1, 100) c;
         INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
           SELECT tenant_id, 'project', id, name, code, slug FROM app.d_project WHERE tenant_id = 'acme' AND code LIKE 'P-%'
           UNION ALL SELECT tenant_id, 'task', id, name, code, slug FROM app.d_task WHERE tenant_id = 'acme' AND code LIKE 'T-%'
           UNION ALL SELECT tenant_id, 'client', id, name, code, slug FROM app.d_client WHERE tenant_id = 'acme' AND code LIKE 'C-%';",
    )
    .await;
    // pat: cascades on projects 1-63 (5,040 tasks under 63 projects: split into parts; the 63
    // projects: ids probed), two tasks of project 80, clients 1-70 one by one (ids tested after
    // the index). sam: cascades on projects 1-70 (70 projects: too many to split; projects: ids
    // tested after the index), and every client.
    let grants = [
        (pat.id, "project", "generate_series(1, 63)", "p", true),
        (pat.id, "task", "unnest(ARRAY[6390, 6400])", "t", false),
        (pat.id, "client", "generate_series(1, 70)", "c", false),
        (sam.id, "project", "generate_series(1, 70)", "p", true),
    ];
    for (grantee, entity, numbers, prefix, cascade) in grants {
        let sql = format!(
            "INSERT INTO app.d_entity_id_rbac_map (tenant_id, grantee_type, grantee_id, entity_type, entity_id, permission, cascade_flag)
             SELECT 'acme', 'employee', $1, $2, md5('{prefix}' || n)::uuid, '{{0}}', $3 FROM {numbers} n"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(grantee)
            .bind(entity)
            .bind(cascade)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    crate::permissions::grant_sql(
        &app,
        "acme",
        ("employee", sam.id),
        ("client", None),
        &[0],
        false,
        false,
    )
    .await;

    let shapes = [
        (&pat, EntityType::Project, "ids"),
        (&pat, EntityType::Task, "parts"),
        (&pat, EntityType::Client, "many ids"),
        (&sam, EntityType::Project, "many ids"),
        (&sam, EntityType::Task, "dense"),
        (&sam, EntityType::Client, "everything"),
    ];
    for (user, entity, expected) in shapes {
        let visibility = pair_visibility(&app.pool, &current_user(user), &[entity])
            .await
            .unwrap();
        let shape = match visibility.visible_types().next() {
            Some((_, Visibility::Ids(ids))) if ids.len() > 64 => "many ids",
            Some((_, Visibility::Ids(_))) => "ids",
            Some((_, Visibility::Dense(Some(_)))) => "parts",
            Some((_, Visibility::Dense(None))) => "dense",
            Some((_, Visibility::Everything)) => "everything",
            None => "nothing",
        };
        assert_eq!(shape, expected, "{} {entity}", user.email);
    }

    let kiln = |kind: &str, numbers: &mut dyn Iterator<Item = i32>| -> Vec<String> {
        numbers.map(|n| format!("Kiln {kind} {n}")).collect()
    };
    let mut pat_sees = kiln("task", &mut (200..=5000).step_by(200).chain([6400]));
    pat_sees.extend(kiln("project", &mut (10..=60).step_by(10)));
    pat_sees.extend(kiln("client", &mut (10..=70).step_by(10)));
    let mut sam_sees = kiln("task", &mut (200..=5600).step_by(200));
    sam_sees.extend(kiln("project", &mut (10..=70).step_by(10)));
    sam_sees.extend(kiln("client", &mut (10..=100).step_by(10)));
    let mut admin_sees = kiln("task", &mut (200..=6400).step_by(200));
    admin_sees.extend(kiln("project", &mut (10..=80).step_by(10)));
    admin_sees.extend(kiln("client", &mut (10..=100).step_by(10)));
    assert_eq!(admin_sees.len(), 50, "every caller's matches fit one page");
    // "kiln" matches as a word; "kilm" matches nothing as typed, so its misspellings are searched.
    for q in ["kiln", "kilm"] {
        for (user, sees) in [(&pat, &pat_sees), (&sam, &sam_sees), (&admin, &admin_sees)] {
            let found = hit_names(&search(&app, user, &format!("q={q}&limit=50")).await);
            assert_eq!(sorted(found), sorted(sees.clone()), "{q} as {}", user.email);
            let clients =
                hit_names(&search(&app, user, &format!("q={q}&types=client&limit=50")).await);
            let sees_clients: Vec<String> = sees
                .iter()
                .filter(|n| n.contains("client"))
                .cloned()
                .collect();
            assert_eq!(
                sorted(clients),
                sorted(sees_clients),
                "{q}, clients only, as {}",
                user.email
            );
        }
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn options_list_visible_records_by_name_or_code(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let pump = create(
        &app,
        &admin,
        "project",
        json!({ "name": "Heat pump install" }),
    )
    .await;
    create(&app, &admin, "project", json!({ "name": "heat exchanger" })).await;
    let boiler = create(&app, &admin, "project", json!({ "name": "Boiler" })).await;
    let deleted = create(&app, &admin, "project", json!({ "name": "Heat old" })).await;
    app.delete_as(&admin, &format!("/api/v1/project/{deleted}"))
        .await;
    let other = app.tenant_with_admin("other").await;
    create(&app, &other, "project", json!({ "name": "Heat foreign" })).await;

    let options = |user: &TestUser, query: String| {
        let app = &app;
        let user = user.clone();
        async move {
            let response = app
                .get_as(&user, &format!("/api/v1/entity/project/options?{query}"))
                .await;
            assert_eq!(
                response.status,
                StatusCode::OK,
                "{query}: {}",
                String::from_utf8_lossy(&response.body)
            );
            response.json()
        }
    };

    // By name substring, ordered by name case-insensitively; active records of the tenant only.
    let found = options(&admin, "q=HEAT".into()).await;
    assert_eq!(hit_names(&found), ["heat exchanger", "Heat pump install"]);
    let first = &found["data"][0];
    assert!(first["id"].is_string() && first["code"].is_string());
    assert_eq!(
        hit_names(&options(&admin, format!("q={}", enc("pump in"))).await),
        ["Heat pump install"]
    );
    // By code.
    let code = code_of(&app, &admin, "project", pump).await;
    let by_code = options(&admin, format!("q={}", enc(&code))).await;
    assert_eq!(by_code["data"][0]["id"], json!(pump));
    // Without q: the first ones by name; limits apply.
    assert_eq!(
        hit_names(&options(&admin, String::new()).await),
        ["Boiler", "heat exchanger", "Heat pump install"]
    );
    assert_eq!(
        hit_names(&options(&admin, "limit=1".into()).await),
        ["Boiler"]
    );
    // LIKE wildcards are literal.
    assert!(hit_names(&options(&admin, format!("q={}", enc("%"))).await).is_empty());
    assert!(hit_names(&options(&admin, format!("q={}", enc("_"))).await).is_empty());

    // Visibility: only granted records.
    assert!(hit_names(&options(&pat, String::new()).await).is_empty());
    grant(&app, &admin, pat.id, "project", Some(boiler), &[0], false).await;
    assert_eq!(hit_names(&options(&pat, String::new()).await), ["Boiler"]);
    assert!(hit_names(&options(&pat, "q=heat".into()).await).is_empty());
    grant(&app, &admin, pat.id, "project", None, &[0], false).await;
    assert_eq!(hit_names(&options(&pat, "q=heat".into()).await).len(), 2);

    // Unknown types are 404; bad parameters 400.
    app.get_as(&admin, "/api/v1/entity/projects/options")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    for query in [
        "limit=0",
        "limit=101",
        &format!("q={}", "x".repeat(201)),
        "x=1",
    ] {
        app.get_as(&admin, &format!("/api/v1/entity/project/options?{query}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "malformed_request");
    }
    // Every type answers.
    for entity in pmo::entity::EntityType::ALL {
        let response = app
            .get_as(&admin, &format!("/api/v1/entity/{entity}/options?q=a"))
            .await;
        assert_eq!(response.status, StatusCode::OK, "{entity}");
    }
}
