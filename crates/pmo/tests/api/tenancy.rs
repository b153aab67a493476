use pmo::tenancy::{NewEmployee, NewTenant, create_employee, create_tenant};
use sqlx::PgPool;

fn admin(email: &str) -> NewEmployee {
    NewEmployee {
        email: email.to_owned(),
        first_name: "Ada".to_owned(),
        last_name: "Admin".to_owned(),
        password: "long-enough-pass".to_owned(),
        tenant_admin: true,
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn tenant_create_makes_datalabels_and_an_admin_in_one_go(pool: PgPool) {
    let created = create_tenant(
        &pool,
        NewTenant {
            slug: "acme".to_owned(),
            name: "Acme".to_owned(),
            admin: admin("Ada@Acme.example"),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.email, "ada@acme.example");

    let stages: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.setting_datalabel_task_stage WHERE tenant_id = 'acme'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stages, 7, "the seven default task stages");
    let registered: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_entity_instance_id WHERE tenant_id = 'acme' AND entity_type = 'employee' AND entity_id = $1",
    )
    .bind(created.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(registered, 1);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn refused_input_writes_nothing(pool: PgPool) {
    let bad = [
        NewTenant {
            slug: "Bad Slug".to_owned(),
            name: "X".to_owned(),
            admin: admin("a@b.example"),
        },
        NewTenant {
            slug: "okay".to_owned(),
            name: "  ".to_owned(),
            admin: admin("a@b.example"),
        },
        NewTenant {
            slug: "okay".to_owned(),
            name: "X".to_owned(),
            admin: admin("not-an-email"),
        },
        NewTenant {
            slug: "okay".to_owned(),
            name: "X".to_owned(),
            admin: NewEmployee {
                password: "short".to_owned(),
                ..admin("a@b.example")
            },
        },
    ];
    for tenant in bad {
        assert!(create_tenant(&pool, tenant).await.is_err());
    }
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM app.d_tenant")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(tenants, 0);

    create_tenant(
        &pool,
        NewTenant {
            slug: "acme".to_owned(),
            name: "Acme".to_owned(),
            admin: admin("a@acme.example"),
        },
    )
    .await
    .unwrap();
    // Same e-mail, different case: refused, and nothing half-written.
    let err = create_employee(
        &pool,
        "acme",
        NewEmployee {
            tenant_admin: false,
            ..admin("A@ACME.example")
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    // The same e-mail in another tenant is fine: uniqueness is per tenant.
    create_tenant(
        &pool,
        NewTenant {
            slug: "other".to_owned(),
            name: "Other".to_owned(),
            admin: admin("a@acme.example"),
        },
    )
    .await
    .unwrap();
    let employees: i64 = sqlx::query_scalar("SELECT count(*) FROM app.d_employee")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(employees, 2);
}
