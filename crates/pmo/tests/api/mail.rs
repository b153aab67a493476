//! Mail: the outbox written with the change, templates (tenant overrides, HTML escaping, missing
//! variables), the development mailbox API, task-assignment notices, and SMTP delivery with
//! retries — exactly once, even across an outage and with two instances delivering.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use pmo::jobs::mailer;
use pmo::mail::{self, TemplateError, TemplateMail};
use secrecy::SecretString;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::cache::{Instance, eventually, service_env};
use crate::helpers::free_port;

async fn request_reset(instance: &Instance, email: &str, tenant: &str) {
    let (status, body) = instance
        .post(
            "/api/v1/auth/password-reset/request",
            None,
            &json!({"email": email, "tenant": tenant}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn the_dev_mailbox_serves_a_tenants_mail_to_its_admins_only(pool: PgPool) {
    let app = Instance::start(&pool, |_| {}).await;
    let admin = app.tenant_admin("acme").await;
    let other_admin = app.tenant_admin("globex").await;
    app.employee("acme", "pat").await;
    let pat = app.login("acme", "pat@acme.example").await;

    request_reset(&app, "pat@acme.example", "acme").await;
    request_reset(&app, "admin@acme.example", "acme").await;
    // Delivered into the mailbox in the request's own transaction: no worker needed.
    let (status, page) = app.get("/api/v1/dev-mailbox", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let messages = page["data"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[0]["to_address"], "admin@acme.example",
        "newest first"
    );
    assert_eq!(messages[0]["subject"], "Reset your PMO password");
    assert!(
        messages[0].get("body_text").is_none(),
        "lists carry no bodies"
    );

    let (_, first_page) = app.get("/api/v1/dev-mailbox?limit=1", Some(&admin)).await;
    let cursor = first_page["next_cursor"].as_str().unwrap();
    let (_, second_page) = app
        .get(
            &format!("/api/v1/dev-mailbox?limit=1&cursor={cursor}"),
            Some(&admin),
        )
        .await;
    assert_eq!(second_page["data"][0]["to_address"], "pat@acme.example");
    assert!(second_page["next_cursor"].is_null());
    let (_, filtered) = app
        .get("/api/v1/dev-mailbox?to=PAT@acme.example", Some(&admin))
        .await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);

    let id = messages[1]["id"].as_str().unwrap();
    let (status, message) = app
        .get(&format!("/api/v1/dev-mailbox/{id}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        message["body_text"]
            .as_str()
            .unwrap()
            .contains("/reset-password?token=")
    );
    let html = message["body_html"].as_str().unwrap();
    assert!(
        html.contains("<a href=\"http://127.0.0.1:4000/reset-password?token="),
        "{html}"
    );
    assert!(message["read_ts"].is_string(), "opening marks it read");
    assert!(message["outbox_id"].is_string());

    // Other people: a non-admin is refused, another tenant's admin sees nothing of acme's.
    assert_eq!(
        app.get("/api/v1/dev-mailbox", Some(&pat)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/api/v1/dev-mailbox/{id}"), Some(&pat))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/api/v1/dev-mailbox/{id}"), Some(&other_admin))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, theirs) = app.get("/api/v1/dev-mailbox", Some(&other_admin)).await;
    assert_eq!(theirs["data"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.get("/api/v1/dev-mailbox", None).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/dev-mailbox?cursor=garbage", Some(&admin))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/dev-mailbox?limit=0", Some(&admin)).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.get("/api/v1/dev-mailbox/not-a-uuid", Some(&admin))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_published_tenant_template_overrides_the_builtin_and_escapes_values(pool: PgPool) {
    let app = Instance::start(&pool, |_| {}).await;
    let admin = app.tenant_admin("acme").await;
    sqlx::query(
        "INSERT INTO app.d_email_template (tenant_id, code, slug, name, subject, body_text, body_html, status)
         VALUES ('acme', 'invitation', 'invitation', 'Invitation', 'Join Acme, invited by {{inviter_name}}',
                 'Hello! {{ inviter_name }} wants you on board: {{link}}', '<h1>Acme</h1><p>{{inviter_name}}</p><a href=\"{{link}}\">Join</a>', 'published')",
    )
    .execute(&pool)
    .await
    .unwrap();
    // The inviter's name holds markup: it must arrive as text in the HTML body.
    sqlx::query(
        "UPDATE app.d_employee SET name = '<b>Ada</b> & Co' WHERE email = 'admin@acme.example'",
    )
    .execute(&pool)
    .await
    .unwrap();
    // Written behind the app's back: it must read the session (which carries the name) again.
    let sessions = pmo::cache::Invalidation::namespace(pmo::cache::SESSIONS, None);
    app.state.cache.apply(&sessions).await;
    let (status, body) = app
        .post(
            "/api/v1/auth/invitations",
            Some(&admin),
            &json!({"email": "new@acme.example", "first_name": "New", "last_name": "Person"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (subject, text, html, template): (String, String, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT subject, body_text, body_html, template_code FROM app.mail_outbox WHERE to_address = 'new@acme.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(subject, "Join Acme, invited by <b>Ada</b> & Co");
    assert!(
        text.starts_with("Hello! <b>Ada</b> & Co wants you on board: http"),
        "{text}"
    );
    let html = html.unwrap();
    assert!(
        html.contains("<p>&lt;b&gt;Ada&lt;/b&gt; &amp; Co</p>"),
        "{html}"
    );
    assert!(html.starts_with("<h1>Acme</h1>"));
    assert_eq!(template.as_deref(), Some("invitation"));

    // A draft is not used: another tenant keeps the built-in text.
    let other = app.tenant_admin("globex").await;
    sqlx::query(
        "INSERT INTO app.d_email_template (tenant_id, code, slug, name, subject, body_text, status)
         VALUES ('globex', 'invitation', 'invitation', 'Invitation', 'Draft {{inviter_name}}', 'Draft', 'draft')",
    )
    .execute(&pool)
    .await
    .unwrap();
    app.post(
        "/api/v1/auth/invitations",
        Some(&other),
        &json!({"email": "x@globex.example", "first_name": "X", "last_name": "Y"}),
    )
    .await;
    let subject: String = sqlx::query_scalar(
        "SELECT subject FROM app.mail_outbox WHERE to_address = 'x@globex.example'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(subject, "You are invited to PMO");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_missing_template_variable_writes_nothing(pool: PgPool) {
    let app = Instance::start(&pool, |_| {}).await;
    app.tenant_admin("acme").await;
    sqlx::query(
        "INSERT INTO app.d_email_template (tenant_id, code, slug, name, subject, body_text, status)
         VALUES ('acme', 'welcome', 'welcome', 'Welcome', 'Welcome, {{first_name}}', 'Visit {{portal_url}}', 'published')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut variables = serde_json::Map::new();
    variables.insert("first_name".into(), json!("Lee"));
    let mut tx = pool.begin().await.unwrap();
    let err = mail::enqueue_template(
        &mut tx,
        &app.state.config,
        TemplateMail {
            tenant_id: "acme",
            to: "lee@client.example",
            template_code: "welcome",
            variables: &variables,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<TemplateError>(),
        Some(&TemplateError::MissingVariable {
            code: "welcome".into(),
            variable: "portal_url".into()
        }),
        "{err:#}"
    );
    assert!(
        err.to_string().contains("{{portal_url}}"),
        "the message names the placeholder: {err}"
    );
    let unknown = mail::enqueue_template(
        &mut tx,
        &app.state.config,
        TemplateMail {
            tenant_id: "acme",
            to: "lee@client.example",
            template_code: "no-such-template",
            variables: &variables,
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(
        unknown.downcast_ref::<TemplateError>(),
        Some(TemplateError::Unknown { .. })
    ));
    tx.commit().await.unwrap();
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM app.mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(outbox, 0, "nothing half-rendered was queued");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn assigning_a_task_mails_the_assignee(pool: PgPool) {
    let app = Instance::start(&pool, |_| {}).await;
    let admin = app.tenant_admin("acme").await;
    let pat = app.employee("acme", "pat").await;
    let (status, project) = app
        .post(
            "/api/v1/project",
            Some(&admin),
            &json!({"name": "Harbour House"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{project}");
    let project_id = project["id"].as_str().unwrap();
    let (status, task) = app
        .post(
            &format!("/api/v1/project/{project_id}/task"),
            Some(&admin),
            &json!({"name": "Fix <boiler>"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{task}");
    let task_id = task["id"].as_str().unwrap();
    let link = json!({"parent_entity_type": "task", "parent_entity_id": task_id, "child_entity_type": "employee", "child_entity_id": pat});
    let (status, body) = app.post("/api/v1/linkage", Some(&admin), &link).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, page) = app
        .get("/api/v1/dev-mailbox?to=pat@acme.example", Some(&admin))
        .await;
    let messages = page["data"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{page}");
    assert_eq!(messages[0]["subject"], "Task assigned to you: Fix <boiler>");
    let id = messages[0]["id"].as_str().unwrap();
    let (_, message) = app
        .get(&format!("/api/v1/dev-mailbox/{id}"), Some(&admin))
        .await;
    let text = message["body_text"].as_str().unwrap();
    assert!(
        text.contains("Ada Admin assigned you the task \"Fix <boiler>\""),
        "{text}"
    );
    assert!(text.contains("project Harbour House"), "{text}");
    assert!(
        message["body_html"]
            .as_str()
            .unwrap()
            .contains("Fix &lt;boiler&gt;")
    );

    // Linking again (already assigned) sends nothing more.
    let (status, _) = app.post("/api/v1/linkage", Some(&admin), &link).await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = app
        .get("/api/v1/dev-mailbox?to=pat@acme.example", Some(&admin))
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn form_approval_notices_render_from_their_templates(pool: PgPool) {
    let app = Instance::start(&pool, |_| {}).await;
    app.tenant_admin("acme").await;
    let mut tx = pool.begin().await.unwrap();
    mail::notify_form_approval(
        &mut tx,
        &app.state.config,
        "acme",
        "approver@acme.example",
        "Sam",
        "Site safety check",
        "http://pmo.example/form/1/submission/2",
        mail::FormApprovalEvent::Requested,
    )
    .await
    .unwrap();
    mail::notify_form_approval(
        &mut tx,
        &app.state.config,
        "acme",
        "worker@acme.example",
        "Kim",
        "Site safety check",
        "http://pmo.example/form/1/submission/2",
        mail::FormApprovalEvent::Decided {
            decision: "approved".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let subjects: Vec<String> =
        sqlx::query_scalar("SELECT subject FROM app.dev_mailbox ORDER BY to_address")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        subjects,
        vec![
            "Approval needed: Site safety check",
            "Site safety check: approved"
        ]
    );
}

/// Messages the SMTP sink stored in `dir` for `to`.
fn sink_messages(dir: &Path, to: &str) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|entry| {
            entry.file_name().to_string_lossy().ends_with(".json")
                && !entry.file_name().to_string_lossy().starts_with('.')
        })
        .filter_map(|entry| {
            serde_json::from_slice::<Value>(&std::fs::read(entry.path()).ok()?).ok()
        })
        .filter(|message| {
            message["rcpt_tos"]
                .as_array()
                .is_some_and(|r| r.iter().any(|a| a == to))
        })
        .collect()
}

fn smtp_config(url: String) -> impl FnOnce(&mut pmo::config::Config) {
    move |config| {
        config.mail.smtp_url = Some(SecretString::from(url));
        config.mail.from_address = "PMO Tests <pmo@tests.example>".to_owned();
        config.mail.retry_base_secs = 1;
        config.mail.retry_max_secs = 2;
        config.mail.smtp_timeout_secs = 5;
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn smtp_delivers_the_outbox_with_text_and_html(pool: PgPool) {
    let Some(url) = service_env("PMO_TEST_SMTP_URL") else {
        return;
    };
    let Some(dir) = service_env("PMO_TEST_SMTP_DIR") else {
        return;
    };
    let app = Instance::start(&pool, smtp_config(url)).await;
    let slug = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    app.tenant_admin(&slug).await;
    let to = format!("admin@{slug}.example");
    request_reset(&app, &to, &slug).await;
    let status: String = sqlx::query_scalar("SELECT status FROM app.mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        status, "queued",
        "with SMTP the request only queues the mail"
    );
    let mailbox: i64 = sqlx::query_scalar("SELECT count(*) FROM app.dev_mailbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mailbox, 0);

    let report = mailer::deliver_due(&pool, &app.state.config, &app.state.mail, 10)
        .await
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let dir = Path::new(&dir);
    assert!(
        eventually(Duration::from_secs(5), async || sink_messages(dir, &to)
            .len()
            == 1)
        .await
    );
    let message = &sink_messages(dir, &to)[0];
    assert_eq!(message["subject"], "Reset your PMO password");
    assert_eq!(message["mail_from"], "pmo@tests.example");
    assert!(
        message["text"]
            .as_str()
            .unwrap()
            .contains("/reset-password?token="),
        "{message}"
    );
    assert!(
        message["html"].as_str().unwrap().contains("<a href="),
        "{message}"
    );
    let outbox_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM app.mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(message["message_id"], format!("<{outbox_id}@pmo.outbox>"));
    let (status, body) = app.get("/api/health/ready", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["checks"]["mail"]["backend"], "smtp");
    assert_eq!(body["checks"]["mail"]["status"], "ok", "{body}");
}

/// A private SMTP sink on its own port (the shared one must stay up for other tests).
struct PrivateSink(Child);

impl PrivateSink {
    fn start(command: &str, port: u16, dir: &Path) -> PrivateSink {
        let mut parts = command.split_whitespace();
        let program = parts.next().unwrap();
        let child = Command::new(program)
            .args(parts)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the SMTP sink");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        PrivateSink(child)
    }
}

impl Drop for PrivateSink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn mail_survives_an_smtp_outage_and_is_delivered_exactly_once_by_two_instances(pool: PgPool) {
    let Some(sink) = service_env("PMO_TEST_SMTP_SINK") else {
        return;
    };
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let a = Instance::start(&pool, smtp_config(url.clone())).await;
    let b = Instance::start(&pool, smtp_config(url)).await;
    let admin = a.tenant_admin("acme").await;
    let (status, _) = a
        .post(
            "/api/v1/auth/invitations",
            Some(&admin),
            &json!({"email": "newbie@acme.example", "first_name": "New", "last_name": "Bie"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the change succeeds while SMTP is down"
    );

    // SMTP is down: attempts fail and are retried later, nothing is lost.
    let report = mailer::deliver_due(&pool, &a.state.config, &a.state.mail, 10)
        .await
        .unwrap();
    assert_eq!(report.retried, 1, "{report:?}");
    let (status, body) = a.get("/api/health/ready", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["checks"]["mail"]["status"], "down", "{body}");
    assert_eq!(body["status"], "degraded");
    let (state, attempts, error): (String, i32, Option<String>) =
        sqlx::query_as("SELECT status, attempts, last_error FROM app.mail_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((state.as_str(), attempts), ("queued", 1));
    assert!(error.is_some());
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let report = mailer::deliver_due(&pool, &b.state.config, &b.state.mail, 10)
        .await
        .unwrap();
    assert_eq!(report.retried, 1, "still down: {report:?}");

    // SMTP comes back; both instances keep delivering at the same time.
    let dir = tempfile::tempdir().unwrap();
    let _sink = PrivateSink::start(&sink, port, dir.path());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (x, y) = tokio::join!(
            mailer::deliver_due(&pool, &a.state.config, &a.state.mail, 10),
            mailer::deliver_due(&pool, &b.state.config, &b.state.mail, 10)
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(x.sent + y.sent <= 1);
        let status: String = sqlx::query_scalar("SELECT status FROM app.mail_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
        if status == "sent" {
            break;
        }
        assert!(Instant::now() < deadline, "never delivered");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // A few more rounds on both instances: nothing is sent twice.
    for _ in 0..3 {
        mailer::deliver_due(&pool, &a.state.config, &a.state.mail, 10)
            .await
            .unwrap();
        mailer::deliver_due(&pool, &b.state.config, &b.state.mail, 10)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let delivered = sink_messages(dir.path(), "newbie@acme.example");
    assert_eq!(delivered.len(), 1, "exactly once: {delivered:?}");
    assert_eq!(delivered[0]["subject"], "You are invited to PMO");
    let text = delivered[0]["text"].as_str().unwrap();
    assert!(text.contains("Ada Admin invited you to PMO"), "{text}");
    assert!(text.contains("/accept-invitation?token="), "{text}");
    let attempts: i32 = sqlx::query_scalar("SELECT attempts FROM app.mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(attempts >= 3, "two failures and the success: {attempts}");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn a_permanent_refusal_or_running_out_of_attempts_marks_mail_failed(pool: PgPool) {
    let port = free_port(); // nothing listens
    let app = Instance::start(&pool, |config| {
        smtp_config(format!("smtp://127.0.0.1:{port}"))(config);
        config.mail.max_attempts = 2;
    })
    .await;
    app.tenant_admin("acme").await;
    request_reset(&app, "admin@acme.example", "acme").await;
    for _ in 0..2 {
        sqlx::query("UPDATE app.mail_outbox SET next_attempt_ts = now()")
            .execute(&pool)
            .await
            .unwrap();
        mailer::deliver_due(&pool, &app.state.config, &app.state.mail, 10)
            .await
            .unwrap();
    }
    let (status, attempts): (String, i32) =
        sqlx::query_as("SELECT status, attempts FROM app.mail_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), attempts), ("failed", 2));
    sqlx::query("UPDATE app.mail_outbox SET next_attempt_ts = now()")
        .execute(&pool)
        .await
        .unwrap();
    let report = mailer::deliver_due(&pool, &app.state.config, &app.state.mail, 10)
        .await
        .unwrap();
    assert_eq!(report.total(), 0, "failed mail is not retried by itself");
}
