//! Sign-in, sessions, token tampering, throttling, password reset, invitations, key rotation.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TEST_PASSWORD, TestApp, TestUser};

const SECRET: &str = "a-test-token-secret-that-is-long-enough-0123456789";

async fn app(pool: PgPool) -> TestApp {
    TestApp::spawn_with(pool, |config| {
        config.auth.token_secret = Some(SECRET.to_owned().into())
    })
    .await
}

fn with_token(user: &TestUser, token: &str) -> TestUser {
    TestUser {
        token: token.to_owned(),
        ..user.clone()
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn login_returns_tokens_and_a_strict_refresh_cookie(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let response = app.login("acme", "ADMIN@acme.example", TEST_PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(
        body["expires_in"], 900,
        "15-minute access tokens by default"
    );
    assert_eq!(body["employee"]["email"], "admin@acme.example");
    assert!(body["refresh_token"].as_str().unwrap().len() >= 40);
    let cookie = response.headers["set-cookie"].to_str().unwrap();
    for attribute in [
        "pmo_refresh=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/v1/auth",
    ] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert_eq!(response.headers["cache-control"], "no-store");

    let me = app.get_as(&admin, "/api/v1/auth/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["tenant"], "acme");
    assert_eq!(me.json()["tenant_admin"], true);

    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.audit_log WHERE tenant_id = 'acme' AND action = 'auth.login'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn the_access_token_ttl_is_one_setting(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |config| config.auth.access_token_ttl_secs = 86_400).await;
    app.tenant_with_admin("acme").await;
    let response = app.login("acme", "admin@acme.example", TEST_PASSWORD).await;
    assert_eq!(response.json()["expires_in"], 86_400);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn wrong_password_and_unknown_email_look_the_same(pool: PgPool) {
    let app = app(pool).await;
    app.tenant_with_admin("acme").await;
    let wrong = app
        .login("acme", "admin@acme.example", "not-the-password")
        .await;
    let unknown = app
        .login("acme", "nobody@acme.example", "not-the-password")
        .await;
    let unknown_tenant = app
        .login("no-such-tenant", "admin@acme.example", "not-the-password")
        .await;
    for response in [&wrong, &unknown, &unknown_tenant] {
        response.assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_eq!(wrong.json(), unknown.json());
    assert_eq!(wrong.json(), unknown_tenant.json());

    // Both paths run one argon2 verification: an unknown e-mail must not answer much faster.
    let median = |mut samples: Vec<Duration>| {
        samples.sort();
        samples[samples.len() / 2]
    };
    let (mut wrong_times, mut unknown_times) = (Vec::new(), Vec::new());
    for i in 0..4 {
        let started = Instant::now();
        app.login("acme", "admin@acme.example", &format!("wrong-{i}"))
            .await;
        wrong_times.push(started.elapsed());
        let started = Instant::now();
        app.login("acme", &format!("ghost{i}@acme.example"), "wrong")
            .await;
        unknown_times.push(started.elapsed());
    }
    let (wrong, unknown) = (median(wrong_times), median(unknown_times));
    assert!(
        unknown * 10 >= wrong * 3,
        "unknown e-mail {unknown:?} vs wrong password {wrong:?}"
    );
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn bad_login_bodies_are_4xx(pool: PgPool) {
    let app = app(pool).await;
    let cases = [
        (
            json!({"email": "", "password": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "a@b.example", "password": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "a@b.example", "password": "x", "tenant": "Not A Tenant"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "a@b.example"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "a@b.example", "password": "x", "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "x".repeat(400), "password": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"email": "' OR 1=1 --", "password": "' OR ''='"}),
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (body, status) in cases {
        let response = app.post_json("/api/v1/auth/login", None, &body).await;
        assert_eq!(
            response.status,
            status,
            "{body}: {}",
            String::from_utf8_lossy(&response.body)
        );
        assert!(response.json()["error"]["code"].is_string());
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn repeated_failures_lock_the_account_with_retry_after(pool: PgPool) {
    let app = app(pool).await;
    app.tenant_with_admin("acme").await;
    for _ in 0..5 {
        app.login("acme", "admin@acme.example", "wrong")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    // Locked now: even the right password is refused until the lock expires.
    let locked = app.login("acme", "admin@acme.example", TEST_PASSWORD).await;
    locked.assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    let retry_after: u64 = locked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 900);
    let locked_until: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
        "SELECT account_locked_until FROM app.d_employee WHERE email = 'admin@acme.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        locked_until.is_some(),
        "the lock is in the database, shared by every instance"
    );

    // An unknown address locks the same way, so lockouts reveal nothing about who exists.
    for _ in 0..5 {
        app.login("acme", "ghost@acme.example", "wrong").await;
    }
    app.login("acme", "ghost@acme.example", "wrong")
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn refresh_rotates_and_reuse_revokes_the_whole_session(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;

    let first = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": admin.refresh_token}),
        )
        .await;
    assert_eq!(
        first.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let rotated = first.json();
    assert_ne!(rotated["refresh_token"], admin.refresh_token.as_str());
    let refreshed_user = with_token(&admin, rotated["token"].as_str().unwrap());
    assert_eq!(
        app.get_as(&refreshed_user, "/api/v1/auth/me").await.status,
        StatusCode::OK
    );

    // The web app sends the cookie instead of a body.
    let cookie_refresh = app
        .request(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/auth/refresh")
                .header(
                    "cookie",
                    format!(
                        "theme=dark; pmo_refresh={}",
                        rotated["refresh_token"].as_str().unwrap()
                    ),
                )
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(cookie_refresh.status, StatusCode::OK);
    let latest = cookie_refresh.json();

    // Replaying the first refresh token: refused, and everything in its session dies with it.
    let replay = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": admin.refresh_token}),
        )
        .await;
    replay.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    let after_reuse = app
        .post_json(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": latest["refresh_token"]}),
        )
        .await;
    after_reuse.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    let latest_user = with_token(&admin, latest["token"].as_str().unwrap());
    app.get_as(&latest_user, "/api/v1/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");

    for body in [
        json!({"refresh_token": "garbage"}),
        json!({}),
        json!({"refresh_token": ""}),
    ] {
        app.post_json("/api/v1/auth/refresh", None, &body)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    let malformed = app
        .send_raw(
            Method::POST,
            "/api/v1/auth/refresh",
            Some("application/json"),
            "{not json",
        )
        .await;
    malformed.assert_error(StatusCode::BAD_REQUEST, "malformed_request");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn logout_revokes_access_and_refresh_at_once(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let other_session = app
        .sign_in("acme", "admin@acme.example", TEST_PASSWORD)
        .await;
    let out = app
        .send_json(Method::POST, "/api/v1/auth/logout", Some(&admin), None)
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    app.get_as(&admin, "/api/v1/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.post_json(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": admin.refresh_token}),
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    // Only that session: another sign-in of the same person keeps working.
    assert_eq!(
        app.get_as(&other_session, "/api/v1/auth/me").await.status,
        StatusCode::OK
    );
}

fn forge(claims: serde_json::Value, kid: &str, key: &[u8], algorithm: Algorithm) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(key)).unwrap()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn tampered_tokens_are_401_never_500(pool: PgPool) {
    let app = app(pool).await;
    let acme = app.tenant_with_admin("acme").await;
    let other = app.tenant_with_admin("other").await;
    let keys = pmo::auth::keys::SigningKeys::from_secret(SECRET.as_bytes().to_vec());
    let header = jsonwebtoken::decode_header(&acme.token).unwrap();
    let acme_kid = header.kid.unwrap();
    let (_, acme_kid_only) = acme_kid.split_once('.').unwrap();
    let other_kid = jsonwebtoken::decode_header(&other.token)
        .unwrap()
        .kid
        .unwrap();
    let (_, other_kid_only) = other_kid.split_once('.').unwrap();
    let claims: serde_json::Value = {
        let payload = acme.token.split('.').nth(1).unwrap();
        use base64::Engine;
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    let now = chrono::Utc::now().timestamp();
    let acme_key = keys.derive("acme", acme_kid_only);

    // Sanity: a token forged exactly like ours with the right key works, so the refusals below are real.
    let genuine = forge(claims.clone(), &acme_kid, &acme_key, Algorithm::HS256);
    assert_eq!(
        app.get_as(&with_token(&acme, &genuine), "/api/v1/auth/me")
            .await
            .status,
        StatusCode::OK
    );

    let mut expired_claims = claims.clone();
    expired_claims["exp"] = json!(now - 120);
    expired_claims["iat"] = json!(now - 1000);
    let mut cross_claims = claims.clone();
    cross_claims["tid"] = json!("other");
    let mut wrong_audience = claims.clone();
    wrong_audience["aud"] = json!("someone-else");

    let signature_flipped = {
        let mut parts: Vec<String> = acme.token.split('.').map(str::to_owned).collect();
        let sig = parts[2].clone();
        let flipped = if sig.ends_with('A') { "B" } else { "A" };
        parts[2] = format!("{}{flipped}", &sig[..sig.len() - 1]);
        parts.join(".")
    };
    let alg_none = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header =
            engine.encode(json!({"alg": "none", "typ": "JWT", "kid": acme_kid}).to_string());
        let payload = engine.encode(claims.to_string());
        format!("{header}.{payload}.")
    };
    let tokens = vec![
        ("bad signature", signature_flipped),
        ("alg none", alg_none),
        (
            "wrong algorithm HS512",
            forge(claims.clone(), &acme_kid, &acme_key, Algorithm::HS512),
        ),
        (
            "expired",
            forge(expired_claims, &acme_kid, &acme_key, Algorithm::HS256),
        ),
        (
            "wrong audience",
            forge(wrong_audience, &acme_kid, &acme_key, Algorithm::HS256),
        ),
        // Signed with the other tenant's key but claiming acme, or naming acme's key id.
        (
            "other tenant's key",
            forge(
                claims.clone(),
                &format!("acme.{other_kid_only}"),
                &keys.derive("other", other_kid_only),
                Algorithm::HS256,
            ),
        ),
        (
            "other tenant's key id",
            forge(
                claims.clone(),
                &other_kid,
                &keys.derive("other", other_kid_only),
                Algorithm::HS256,
            ),
        ),
        (
            "claims another tenant",
            forge(cross_claims, &acme_kid, &acme_key, Algorithm::HS256),
        ),
        (
            "another server's secret",
            forge(
                claims.clone(),
                &acme_kid,
                b"some-other-server-secret-of-enough-length",
                Algorithm::HS256,
            ),
        ),
        (
            "unknown kid",
            forge(
                claims.clone(),
                "acme.0000000000000000",
                &keys.derive("acme", "0000000000000000"),
                Algorithm::HS256,
            ),
        ),
        ("garbage", "not.a.jwt".to_owned()),
        ("empty segments", "..".to_owned()),
        ("huge", "x".repeat(10_000)),
        ("unicode", "tøken✓".to_owned()),
    ];
    for (what, token) in tokens {
        let response = app
            .request(
                axum::http::Request::builder()
                    .uri("/api/v1/auth/me")
                    .header("authorization", format!("Bearer {token}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "{what}: {}",
            String::from_utf8_lossy(&response.body)
        );
        assert_eq!(
            response.json()["error"]["code"],
            "unauthenticated",
            "{what}"
        );
        assert_eq!(response.headers["www-authenticate"], "Bearer");
    }
    for header in ["", "Bearer", "Bearer ", "Basic YWRtaW46YWRtaW4=", "bearer"] {
        let response = app
            .request(
                axum::http::Request::builder()
                    .uri("/api/v1/auth/me")
                    .header("authorization", header)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        response.assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    }
    app.get("/api/v1/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn key_rotation_keeps_sessions_and_revocation_ends_them(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let employee = app.employee("acme", "pat").await;

    let forbidden = app
        .post_json("/api/v1/auth/keys/rotate", Some(&employee), &json!({}))
        .await;
    forbidden.assert_error(StatusCode::FORBIDDEN, "forbidden");

    let old_kid = jsonwebtoken::decode_header(&admin.token)
        .unwrap()
        .kid
        .unwrap();
    let rotated = app
        .post_json("/api/v1/auth/keys/rotate", Some(&admin), &json!({}))
        .await;
    assert_eq!(rotated.status, StatusCode::OK);
    // Tokens signed before the rotation still work: nobody is logged out.
    assert_eq!(
        app.get_as(&employee, "/api/v1/auth/me").await.status,
        StatusCode::OK
    );
    let fresh = app.sign_in("acme", &employee.email, TEST_PASSWORD).await;
    let new_kid = jsonwebtoken::decode_header(&fresh.token)
        .unwrap()
        .kid
        .unwrap();
    assert_ne!(old_kid, new_kid);
    assert_eq!(
        new_kid,
        format!("acme.{}", rotated.json()["kid"].as_str().unwrap())
    );

    // A leaked key: rotate and revoke, and every older token is refused at once.
    let revoked = app
        .post_json(
            "/api/v1/auth/keys/rotate",
            Some(&admin),
            &json!({"revoke_previous": true}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    app.get_as(&employee, "/api/v1/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.get_as(&fresh, "/api/v1/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
}

/// The link's token from the newest message to `to` in the development mailbox.
async fn mailed_token(app: &TestApp, to: &str) -> String {
    let body: String = sqlx::query_scalar("SELECT body_text FROM app.dev_mailbox WHERE to_address = $1 ORDER BY received_ts DESC LIMIT 1")
        .bind(to)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let start = body.find("token=").expect("a link with a token") + "token=".len();
    body[start..].split_whitespace().next().unwrap().to_owned()
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn password_reset_is_single_use_and_ends_sessions(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;

    let unknown = app
        .post_json(
            "/api/v1/auth/password-reset/request",
            None,
            &json!({"email": "nobody@acme.example", "tenant": "acme"}),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::ACCEPTED,
        "same answer whether or not the account exists"
    );
    let mails: i64 = sqlx::query_scalar("SELECT count(*) FROM app.dev_mailbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(mails, 0);

    let requested = app
        .post_json(
            "/api/v1/auth/password-reset/request",
            None,
            &json!({"email": "Admin@acme.example", "tenant": "acme"}),
        )
        .await;
    assert_eq!(requested.status, StatusCode::ACCEPTED);
    let token = mailed_token(&app, "admin@acme.example").await;
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM app.auth_one_time_token WHERE token_hash = $1")
            .bind(&token)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, 0, "only a hash of the token is stored");

    let weak = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "password": "short"}),
        )
        .await;
    weak.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let confirmed = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "password": "a-brand-new-password"}),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::NO_CONTENT);
    let again = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "password": "yet-another-password"}),
        )
        .await;
    again.assert_error(StatusCode::BAD_REQUEST, "invalid_token");
    let bogus = app
        .post_json(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": "forged", "password": "yet-another-password"}),
        )
        .await;
    bogus.assert_error(StatusCode::BAD_REQUEST, "invalid_token");

    app.get_as(&admin, "/api/v1/auth/me")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthenticated");
    app.login("acme", "admin@acme.example", TEST_PASSWORD)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    app.sign_in("acme", "admin@acme.example", "a-brand-new-password")
        .await;
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn invitations_create_an_account_that_chooses_its_password(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    let employee = app.employee("acme", "pat").await;

    let invite =
        json!({"email": "New.Hire@acme.example", "first_name": "New", "last_name": "Hire"});
    let refused = app
        .post_json("/api/v1/auth/invitations", Some(&employee), &invite)
        .await;
    refused.assert_error(StatusCode::FORBIDDEN, "forbidden");

    let created = app
        .post_json("/api/v1/auth/invitations", Some(&admin), &invite)
        .await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert_eq!(created.json()["email"], "new.hire@acme.example");
    // No password yet: signing in fails like any wrong password.
    app.login("acme", "new.hire@acme.example", "anything-at-all")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");

    let duplicate = app
        .post_json("/api/v1/auth/invitations", Some(&admin), &invite)
        .await;
    duplicate.assert_error(StatusCode::CONFLICT, "conflict");
    let invalid = app
        .post_json(
            "/api/v1/auth/invitations",
            Some(&admin),
            &json!({"email": "nope", "first_name": "", "last_name": "X"}),
        )
        .await;
    let details = invalid.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert!(
        details["error"]["details"]["fields"]["email"].is_string()
            && details["error"]["details"]["fields"]["first_name"].is_string()
    );

    let token = mailed_token(&app, "new.hire@acme.example").await;
    let accepted = app
        .post_json(
            "/api/v1/auth/invitations/accept",
            None,
            &json!({"token": token, "password": "my-own-password"}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::NO_CONTENT);
    app.sign_in("acme", "new.hire@acme.example", "my-own-password")
        .await;
    let reused = app
        .post_json(
            "/api/v1/auth/invitations/accept",
            None,
            &json!({"token": token, "password": "my-own-password"}),
        )
        .await;
    reused.assert_error(StatusCode::BAD_REQUEST, "invalid_token");
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn an_invitation_racing_another_create_of_the_address_gets_409(pool: PgPool) {
    let app = app(pool).await;
    let admin = app.tenant_with_admin("acme").await;
    // Another writer has inserted the address but not committed: the invitation's own insert
    // waits on the unique index, then finds it taken when the other commits.
    let mut other = app.pool.begin().await.unwrap();
    sqlx::query(
        "INSERT INTO app.d_employee (tenant_id, code, slug, name, email, first_name, last_name)
         VALUES ('acme', 'EMP-RACE', 'emp-race', 'Twin Hire', 'twin@acme.example', 'Twin', 'Hire')",
    )
    .execute(&mut *other)
    .await
    .unwrap();
    let invite = json!({"email": "twin@acme.example", "first_name": "Twin", "last_name": "Hire"});
    let (answer, ()) = tokio::join!(
        app.post_json("/api/v1/auth/invitations", Some(&admin), &invite),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            other.commit().await.unwrap();
        }
    );
    answer.assert_error(StatusCode::CONFLICT, "conflict");
    let accounts: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM app.d_employee WHERE tenant_id = 'acme' AND email = 'twin@acme.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(accounts, 1);
}
