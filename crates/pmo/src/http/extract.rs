//! Extractors whose rejections answer with the error envelope.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use ipnet::IpNet;

use crate::config::Config;
use crate::error::ApiError;

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// JSON body extractor: malformed JSON, a wrong content type, a body too large or fields of the
/// wrong type all answer with the envelope (400, 415, 413, 422).
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query-string extractor with the envelope on rejection.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct AppQuery<T>(pub T);

/// Path extractor with the envelope on rejection (e.g. a malformed UUID).
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct AppPath<T>(pub T);

/// Who is calling from where: client address, user agent and request id, for audit and throttling.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// The client's address as [`client_address`] resolves it (behind trusted proxies, from
    /// `X-Forwarded-For`).
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta
where
    Arc<Config>: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let config = Arc::<Config>::from_ref(state);
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| client_address(info.0.ip(), &parts.headers, &config.http.trusted_proxies));
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(500).collect())
        };
        Ok(RequestMeta {
            ip,
            user_agent: header("user-agent"),
            request_id: header("x-request-id"),
        })
    }
}

/// The client's address: the TCP peer, unless the peer is a trusted proxy. Then `X-Forwarded-For`
/// is read from the right (each proxy appends the address it received from), skipping trusted
/// addresses, and the first untrusted one is the client. Entries further left were written by the
/// client and are never believed. A header that is missing, malformed where it is read, or names
/// only trusted addresses leaves the peer. The one place that decides a request's address.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpNet]) -> IpAddr {
    // A dual-stack listener reports IPv4 peers as `::ffff:a.b.c.d`.
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted_proxies.iter().any(|range| range.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Several header lines form one list, in order (RFC 9110 §5.3).
    let mut lines = Vec::new();
    for value in headers.get_all(X_FORWARDED_FOR) {
        let Ok(line) = value.to_str() else {
            return peer;
        };
        lines.push(line);
    }
    for entry in lines.iter().rev().flat_map(|line| line.rsplit(',')) {
        match parse_forwarded_address(entry) {
            Some(ip) if is_trusted(&ip) => continue,
            Some(ip) => return ip,
            None => return peer,
        }
    }
    peer
}

/// One `X-Forwarded-For` entry: an address, optionally with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use axum::http::HeaderValue;

    use super::*;

    fn ranges(cidrs: &[&str]) -> Vec<IpNet> {
        cidrs.iter().map(|c| c.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(line).unwrap());
        }
        headers
    }

    const ALB: &str = "10.0.3.17";

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(client_address(ip(ALB), &headers, &[]), ip(ALB));
    }

    #[test]
    fn an_untrusted_peer_cannot_name_another_address() {
        let trusted = ranges(&["10.0.0.0/16"]);
        let headers = forwarded(&["10.0.0.9, 198.51.100.20"]);
        assert_eq!(
            client_address(ip("203.0.113.7"), &headers, &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn a_trusted_peer_names_the_rightmost_untrusted_address() {
        let trusted = ranges(&["10.0.0.0/16"]);
        // The client wrote the first entry itself; the proxy appended the address it saw.
        let headers = forwarded(&["1.2.3.4, 203.0.113.7"]);
        assert_eq!(
            client_address(ip(ALB), &headers, &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn trusted_hops_are_skipped_across_entries_and_header_lines() {
        let trusted = ranges(&["10.0.0.0/16", "192.168.0.0/24"]);
        let headers = forwarded(&["1.2.3.4, 203.0.113.7, 192.168.0.5", "10.0.9.9"]);
        assert_eq!(
            client_address(ip(ALB), &headers, &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn a_bad_header_or_only_trusted_addresses_leave_the_peer() {
        let trusted = ranges(&["10.0.0.0/16"]);
        for lines in [
            &["not-an-address"][..],
            &["203.0.113.7, garbage"],
            &["203.0.113.7,"],
            &[""],
            &["10.0.0.8, 10.0.1.1"],
            &["unknown, 10.0.0.8"],
        ] {
            let headers = forwarded(lines);
            assert_eq!(
                client_address(ip(ALB), &headers, &trusted),
                ip(ALB),
                "{lines:?}"
            );
        }
        assert_eq!(
            client_address(ip(ALB), &HeaderMap::new(), &trusted),
            ip(ALB),
            "no header"
        );
        let mut opaque = HeaderMap::new();
        opaque.insert(
            X_FORWARDED_FOR,
            HeaderValue::from_bytes(b"203.0.113.\xff").unwrap(),
        );
        assert_eq!(client_address(ip(ALB), &opaque, &trusted), ip(ALB));
    }

    #[test]
    fn garbage_left_of_the_client_is_never_read() {
        let trusted = ranges(&["10.0.0.0/16"]);
        let headers = forwarded(&["<script>, ::zz, 203.0.113.7"]);
        assert_eq!(
            client_address(ip(ALB), &headers, &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn ipv6_ports_and_mapped_addresses() {
        let trusted = ranges(&["10.0.0.0/16", "fd00::/8"]);
        let headers = forwarded(&["2001:db8::1, fd00::2"]);
        assert_eq!(
            client_address(ip("fd00::1"), &headers, &trusted),
            ip("2001:db8::1")
        );
        // A dual-stack listener reports the IPv4 proxy as a mapped IPv6 address.
        let headers = forwarded(&["[2001:db8::5]:443, 198.51.100.20:5000"]);
        assert_eq!(
            client_address(ip("::ffff:10.0.3.17"), &headers, &trusted),
            ip("198.51.100.20")
        );
        let headers = forwarded(&["::ffff:10.0.0.4"]);
        assert_eq!(
            client_address(ip(ALB), &headers, &trusted),
            ip(ALB),
            "a mapped trusted address is trusted"
        );
        // Untrusted mapped peers are reported in their IPv4 form.
        assert_eq!(
            client_address(ip("::ffff:203.0.113.7"), &HeaderMap::new(), &trusted),
            ip("203.0.113.7")
        );
    }
}
