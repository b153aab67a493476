use pmo::config::Config;
use sqlx::PgPool;

/// Row counts of every table in schema `app`, to prove a second seed adds nothing.
async fn table_counts(pool: &PgPool) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'app' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let sql = format!("SELECT count(*) FROM app.\"{table}\"");
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.push((table, count));
    }
    counts
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn demo_seed_is_coherent_and_idempotent(pool: PgPool) {
    let config = Config::default();
    let first = pmo::seed::seed_demo(&pool, &config).await.unwrap();
    assert!(first.employees >= 505, "{first:?}");
    assert!(
        first.projects >= 10 && first.tasks >= 50 && first.clients >= 11,
        "{first:?}"
    );
    let counts_after_first = table_counts(&pool).await;

    let second = pmo::seed::seed_demo(&pool, &config).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(
        counts_after_first,
        table_counts(&pool).await,
        "a second run adds or removes nothing"
    );

    // Every link points at live rows of the named types (the original's links pointed at nothing).
    let dangling: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_entity_id_map m
         WHERE NOT EXISTS (SELECT 1 FROM app.d_entity_instance_id i WHERE i.tenant_id = m.tenant_id
                             AND i.entity_type = m.parent_entity_type AND i.entity_id = m.parent_entity_id)
            OR NOT EXISTS (SELECT 1 FROM app.d_entity_instance_id i WHERE i.tenant_id = m.tenant_id
                             AND i.entity_type = m.child_entity_type AND i.entity_id = m.child_entity_id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(dangling, 0);

    // Every project belongs to a business and every task to a project.
    let orphan_tasks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_task t WHERE NOT EXISTS (SELECT 1 FROM app.d_entity_id_map m
           WHERE m.tenant_id = t.tenant_id AND m.parent_entity_type = 'project' AND m.child_entity_type = 'task'
             AND m.child_entity_id = t.id AND m.active_flag)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(orphan_tasks, 0);

    // The registry has one row per entity of every seeded table.
    let unregistered: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM app.d_project p WHERE NOT EXISTS (SELECT 1 FROM app.d_entity_instance_id i
                   WHERE i.tenant_id = p.tenant_id AND i.entity_type = 'project' AND i.entity_id = p.id))
              + (SELECT count(*) FROM app.d_employee e WHERE NOT EXISTS (SELECT 1 FROM app.d_entity_instance_id i
                   WHERE i.tenant_id = e.tenant_id AND i.entity_type = 'employee' AND i.entity_id = e.id))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unregistered, 0);

    // The demo administrator signs in with the configured demo password.
    let (hash, admin): (String, bool) = sqlx::query_as(
        "SELECT password_hash, tenant_admin FROM app.d_employee WHERE tenant_id = 'demo' AND lower(email) = $1",
    )
    .bind(pmo::seed::DEMO_ADMIN_EMAIL)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(admin);
    assert!(pmo::auth::password::verify_password(&hash, "password123"));
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn demo_password_follows_configuration(pool: PgPool) {
    let mut config = Config::default();
    config.demo.password = "another-demo-pass".to_owned().into();
    pmo::seed::seed_demo(&pool, &config).await.unwrap();
    let hash: String = sqlx::query_scalar(
        "SELECT password_hash FROM app.d_employee WHERE tenant_id = 'demo' AND lower(email) = $1",
    )
    .bind(pmo::seed::DEMO_ADMIN_EMAIL)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(pmo::auth::password::verify_password(
        &hash,
        "another-demo-pass"
    ));
    assert!(!pmo::auth::password::verify_password(&hash, "password123"));
}
