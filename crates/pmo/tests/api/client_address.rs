//! The client address behind a load balancer: `X-Forwarded-For` is believed only from the proxies in
//! `http.trusted_proxies`, read from the right, and what it yields is what login throttling, the
//! audit log and sessions see.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{TEST_PASSWORD, TestApp, TestResponse};

/// The load balancer's address inside the VPC.
const ALB: &str = "10.0.3.17";
const VPC: &str = "10.0.0.0/16";

/// A login from TCP peer `peer`, carrying `forwarded_for` as `X-Forwarded-For` when given.
async fn login_via(
    app: &TestApp,
    peer: &str,
    forwarded_for: Option<&str>,
    email: &str,
    password: &str,
) -> TestResponse {
    let body = json!({"email": email, "password": password, "tenant": "acme"});
    let peer: IpAddr = peer.parse().unwrap();
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .extension(ConnectInfo(SocketAddr::new(peer, 40_000)));
    if let Some(value) = forwarded_for {
        request = request.header("x-forwarded-for", value);
    }
    app.request(request.body(Body::from(body.to_string())).unwrap())
        .await
}

/// The address the audit log recorded for the failed login of `email`.
async fn failed_login_address(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar(
        "SELECT host(actor_ip) FROM app.audit_log
         WHERE action = 'auth.login_failed' AND details->>'email' = $1",
    )
    .bind(email)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The address recorded on the newest session.
async fn newest_session_address(app: &TestApp) -> String {
    sqlx::query_scalar("SELECT host(ip) FROM app.auth_session ORDER BY created_ts DESC LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn trusting(ranges: &[&str]) -> impl FnOnce(&mut pmo::config::Config) {
    let ranges: Vec<ipnet::IpNet> = ranges.iter().map(|r| r.parse().unwrap()).collect();
    move |config| {
        config.http.trusted_proxies = ranges;
        config.auth.max_failed_logins_per_ip = 3;
        // High enough that no account locks itself during these tests.
        config.auth.max_failed_logins = 50;
        config.auth.lockout_secs = 300;
    }
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn an_untrusted_peer_cannot_forge_its_address(pool: PgPool) {
    let app = TestApp::spawn_with(pool, trusting(&[VPC])).await;
    app.tenant_with_admin("acme").await;
    let peer = "203.0.113.7";

    // Each failure claims another address; all of them count against the peer.
    for n in 0..3 {
        let forged = format!("{ALB}, 198.51.100.{n}");
        login_via(
            &app,
            peer,
            Some(&forged),
            &format!("guess{n}@acme.example"),
            "wrong",
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_eq!(
        failed_login_address(&app, "guess0@acme.example").await,
        peer
    );
    login_via(
        &app,
        peer,
        Some("198.51.100.99"),
        "admin@acme.example",
        TEST_PASSWORD,
    )
    .await
    .assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");

    // The address the forger named is untouched.
    let named = login_via(
        &app,
        "198.51.100.0",
        None,
        "admin@acme.example",
        TEST_PASSWORD,
    )
    .await;
    assert_eq!(named.status, StatusCode::OK);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn without_trusted_proxies_the_header_is_ignored(pool: PgPool) {
    let app = TestApp::spawn_with(pool, trusting(&[])).await;
    app.tenant_with_admin("acme").await;
    login_via(
        &app,
        ALB,
        Some("203.0.113.7"),
        "guess@acme.example",
        "wrong",
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(failed_login_address(&app, "guess@acme.example").await, ALB);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn behind_a_trusted_proxy_each_client_is_throttled_on_its_own(pool: PgPool) {
    let app = TestApp::spawn_with(pool, trusting(&[VPC])).await;
    app.tenant_with_admin("acme").await;
    let client_a = "203.0.113.7";
    let client_b = "198.51.100.20";

    // Client A puts a different address of its choosing first each time: the rightmost untrusted
    // entry, the one the load balancer appended, is what counts.
    for n in 0..3 {
        let header = format!("192.0.2.{n}, {client_a}");
        login_via(
            &app,
            ALB,
            Some(&header),
            &format!("guess{n}@acme.example"),
            "wrong",
        )
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    assert_eq!(
        failed_login_address(&app, "guess1@acme.example").await,
        client_a
    );
    login_via(
        &app,
        ALB,
        Some(&format!("192.0.2.50, {client_a}")),
        "admin@acme.example",
        TEST_PASSWORD,
    )
    .await
    .assert_error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");

    // Client B, behind the same load balancer, signs in; its session records its own address.
    let b = login_via(
        &app,
        ALB,
        Some(&format!("{client_a}, {client_b}")),
        "admin@acme.example",
        TEST_PASSWORD,
    )
    .await;
    assert_eq!(
        b.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&b.body)
    );
    assert_eq!(newest_session_address(&app).await, client_b);
}

#[sqlx::test(migrator = "pmo::db::MIGRATOR")]
async fn several_hops_garbage_and_ipv6(pool: PgPool) {
    let app = TestApp::spawn_with(pool, trusting(&[VPC, "192.168.0.0/16", "fd00::/8"])).await;
    app.tenant_with_admin("acme").await;
    let cases = [
        // A CDN or inner proxy in a trusted range before the load balancer: skipped.
        (
            ALB,
            Some("192.0.2.1, 203.0.113.7, 192.168.4.4, 10.0.9.9"),
            "203.0.113.7",
        ),
        // Garbage the client wrote, left of the appended address, is never read.
        (ALB, Some("not-an-ip, 198.51.100.30"), "198.51.100.30"),
        // Garbage where the trusted proxy's entry should be: fall back to the peer.
        (ALB, Some("198.51.100.31, garbage"), ALB),
        // Only trusted addresses: the peer.
        (ALB, Some("10.0.0.5, 192.168.1.1"), ALB),
        // No header from a trusted peer: the peer.
        (ALB, None, ALB),
        // IPv6 client behind an IPv6 proxy, and behind an IPv4 one.
        ("fd00::1", Some("2001:db8::7"), "2001:db8::7"),
        (ALB, Some("192.0.2.9, 2001:db8::8"), "2001:db8::8"),
        // An untrusted IPv6 peer's header is ignored.
        ("2001:db8::9", Some("2001:db8::10"), "2001:db8::9"),
    ];
    for (n, (peer, header, expected)) in cases.into_iter().enumerate() {
        let email = format!("case{n}@acme.example");
        login_via(&app, peer, header, &email, "wrong")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(
            failed_login_address(&app, &email).await,
            expected,
            "peer {peer}, X-Forwarded-For {header:?}"
        );
    }
}
