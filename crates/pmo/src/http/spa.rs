//! The web app: `web/dist` served at `/`, with a fallback to `index.html` for the app's own
//! routes (`/project/…`), while everything under `/api` keeps the JSON 404 envelope.
//!
//! Release builds embed `web/dist` in the binary; debug builds read the folder at run time, so a
//! `npm run build` is picked up without recompiling. When the folder was not built, `/` answers a
//! short page saying how to build it.

use std::borrow::Cow;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::{ApiError, ErrorCode};

#[derive(RustEmbed)]
// `PMO_WEB_DIST` is the absolute `web/dist` path, set by build.rs.
#[folder = "$PMO_WEB_DIST"]
#[allow_missing = true]
struct WebDist;

const INDEX: &str = "index.html";
/// Vite puts content-hashed files here: their name changes whenever their content does.
const HASHED_PREFIX: &str = "assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

const NOT_BUILT: &str = "<!doctype html>
<html lang=\"en\"><head><meta charset=\"utf-8\"><title>PMO: web app not built</title></head>
<body style=\"font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem\">
<h1>The web app was not built</h1>
<p>The API is running (see <a href=\"/api/health\">/api/health</a> and
<a href=\"/api/openapi.json\">/api/openapi.json</a>), but this binary has no web app to serve.</p>
<p>Build it, then rebuild the binary (release builds embed it; debug builds read it from disk):</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build
cargo build --release -p pmo</pre>
<p><code>make build</code> and <code>make run</code> do both.</p>
</body></html>
";

/// What a request that matched no API route gets.
#[derive(Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// The JSON `route_not_found` envelope: any `/api` path, any method but GET/HEAD, and paths
    /// that look like a file that does not exist.
    NotFound,
    /// A file of `web/dist`, by its path inside the folder.
    File(&'a str),
    /// The app's `index.html`: the client-side router decides what to show.
    App,
}

/// The fallback rule. `exists` says whether `web/dist` holds a file at a relative path.
pub fn resolve<'a>(method: &Method, path: &'a str, exists: impl Fn(&str) -> bool) -> Target<'a> {
    if path == "/api" || path.starts_with("/api/") {
        return Target::NotFound;
    }
    if method != Method::GET && method != Method::HEAD {
        return Target::NotFound;
    }
    let relative = path.trim_start_matches('/');
    if relative.is_empty() || relative == INDEX {
        return Target::App;
    }
    // Never map `..`, empty or hidden segments onto the folder.
    let clean = relative
        .split('/')
        .all(|segment| !segment.is_empty() && !segment.starts_with('.'));
    if !clean {
        return Target::NotFound;
    }
    if exists(relative) {
        return Target::File(relative);
    }
    if looks_like_file(relative) || relative.starts_with(HASHED_PREFIX) {
        return Target::NotFound;
    }
    Target::App
}

/// A last segment with an extension (`logo.png`, `app.js.map`) names a file, not an app route.
fn looks_like_file(relative: &str) -> bool {
    let last = relative.rsplit('/').next().unwrap_or(relative);
    match last.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty() && !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// The router's fallback: serves the web app, or the JSON 404 for everything else.
pub async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    match resolve(&method, path, |relative| WebDist::get(relative).is_some()) {
        Target::NotFound => {
            ApiError::new(ErrorCode::RouteNotFound, format!("no route for {path}")).into_response()
        }
        Target::File(relative) => file_response(relative, &headers).unwrap_or_else(|| {
            ApiError::new(ErrorCode::RouteNotFound, format!("no route for {path}")).into_response()
        }),
        Target::App => file_response(INDEX, &headers).unwrap_or_else(not_built),
    }
}

fn not_built() -> Response {
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE))],
        Html(NOT_BUILT),
    )
        .into_response()
}

fn file_response(relative: &str, request: &HeaderMap) -> Option<Response> {
    let file = WebDist::get(relative)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()));
    let cache = if relative.starts_with(HASHED_PREFIX) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mime = file.metadata.mimetype();
    let mut builder = Response::builder()
        .header(header::CACHE_CONTROL, cache)
        .header(header::ETAG, &etag);
    let not_modified = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if not_modified {
        return builder
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .ok();
    }
    builder = builder.header(header::CONTENT_TYPE, content_type(mime));
    let body = match file.data {
        Cow::Borrowed(bytes) => Body::from(bytes),
        Cow::Owned(bytes) => Body::from(bytes),
    };
    builder.status(StatusCode::OK).body(body).ok()
}

/// Text types are UTF-8 (Vite writes UTF-8); say so, so no browser guesses.
fn content_type(mime: &str) -> String {
    let textual = mime.starts_with("text/")
        || mime == "application/javascript"
        || mime == "application/json"
        || mime == "image/svg+xml";
    if textual && !mime.contains("charset") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: [&str; 4] = [
        "index.html",
        "favicon.svg",
        "color-scheme.js",
        "assets/index-abc123.js",
    ];

    fn target<'a>(method: Method, path: &'a str) -> Target<'a> {
        resolve(&method, path, |relative| FILES.contains(&relative))
    }

    #[test]
    fn api_paths_never_fall_back() {
        assert_eq!(target(Method::GET, "/api"), Target::NotFound);
        assert_eq!(target(Method::GET, "/api/"), Target::NotFound);
        assert_eq!(target(Method::GET, "/api/v1/nope"), Target::NotFound);
        assert_eq!(target(Method::HEAD, "/api/v2/project"), Target::NotFound);
        assert_eq!(target(Method::POST, "/api/v1/nope"), Target::NotFound);
    }

    #[test]
    fn app_routes_fall_back_to_index_for_get_and_head() {
        assert_eq!(target(Method::GET, "/"), Target::App);
        assert_eq!(target(Method::GET, "/index.html"), Target::App);
        assert_eq!(target(Method::GET, "/project"), Target::App);
        assert_eq!(
            target(
                Method::GET,
                "/project/5b0f6c1e-6f7a-4d9e-9d1b-1c2d3e4f5a6b/task"
            ),
            Target::App
        );
        assert_eq!(target(Method::HEAD, "/sign-in"), Target::App);
        // An `/api` look-alike outside `/api/` is an app route.
        assert_eq!(target(Method::GET, "/apiary"), Target::App);
    }

    #[test]
    fn other_methods_get_the_json_404() {
        assert_eq!(target(Method::POST, "/project"), Target::NotFound);
        assert_eq!(target(Method::PUT, "/"), Target::NotFound);
        assert_eq!(target(Method::DELETE, "/favicon.svg"), Target::NotFound);
    }

    #[test]
    fn existing_files_are_served() {
        assert_eq!(
            target(Method::GET, "/favicon.svg"),
            Target::File("favicon.svg")
        );
        assert_eq!(
            target(Method::GET, "/assets/index-abc123.js"),
            Target::File("assets/index-abc123.js")
        );
        assert_eq!(
            target(Method::HEAD, "/color-scheme.js"),
            Target::File("color-scheme.js")
        );
    }

    #[test]
    fn missing_files_do_not_fall_back() {
        assert_eq!(target(Method::GET, "/logo.png"), Target::NotFound);
        assert_eq!(
            target(Method::GET, "/assets/index-old.js"),
            Target::NotFound
        );
        assert_eq!(target(Method::GET, "/assets/anything"), Target::NotFound);
        assert_eq!(target(Method::GET, "/project/report.pdf"), Target::NotFound);
    }

    #[test]
    fn no_traversal_or_hidden_files() {
        assert_eq!(target(Method::GET, "/../Cargo.toml"), Target::NotFound);
        assert_eq!(target(Method::GET, "/.env"), Target::NotFound);
        assert_eq!(
            target(Method::GET, "/assets/../index.html"),
            Target::NotFound
        );
        assert_eq!(
            target(Method::GET, "//favicon.svg"),
            Target::File("favicon.svg")
        );
    }

    #[test]
    fn hashed_assets_are_immutable_and_text_has_a_charset() {
        assert!("assets/index-abc123.js".starts_with(HASHED_PREFIX));
        assert_eq!(content_type("text/html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("application/javascript"),
            "application/javascript; charset=utf-8"
        );
        assert_eq!(content_type("image/png"), "image/png");
    }

    #[test]
    fn looks_like_file_rule() {
        assert!(looks_like_file("a/b.js"));
        assert!(looks_like_file("app.js.map"));
        assert!(!looks_like_file("project"));
        assert!(!looks_like_file(".hidden"));
        assert!(!looks_like_file("v1.2.3-"));
    }
}
