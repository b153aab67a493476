//! Global search (`/api/v1/search`) and picker options (`/api/v1/entity/{entity}/options`):
//! matching, ranking, visibility through grants, tenant isolation and hostile input.

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};
use crate::linkage::{create, grant};

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
