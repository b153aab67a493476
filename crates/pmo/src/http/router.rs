//! Router assembly: every route of the API in one tree, with its OpenAPI document.

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::http::{docs, health, middleware, openapi, spa};
use crate::state::AppState;
use crate::{auth, entity, rbac};

/// The routes and their OpenAPI document, before state and middleware are applied.
pub fn api_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::routes())
        .merge(entity::routes())
        .merge(auth::routes::routes())
        .merge(rbac::routes())
        .merge(crate::artifact::routes())
        .merge(crate::linkage::routes())
        .merge(crate::datalabel::routes())
        .merge(crate::search::routes())
        .merge(crate::mailbox::routes())
        .merge(crate::form::routes())
        .split_for_parts();
    // The generic record routes are registered per registry type; so are their operations.
    for (path, item) in entity::record_routes::openapi_paths() {
        doc.paths.paths.insert(path, item);
    }
    (router.merge(entity::record_routes::router()), doc)
}

/// The OpenAPI document alone (for `pmo openapi` and the drift check).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_routes().1
}

/// The complete application: routes, OpenAPI endpoint, fallback and middleware.
pub fn build_app(state: AppState) -> Router {
    let (routes, doc) = api_routes();
    let doc_json = openapi::document_json(&doc).unwrap_or_default();
    let doc_html = docs::render(&doc);
    let router = routes
        .route(
            "/api/docs",
            get(move || async move { axum::response::Html(doc_html) }),
        )
        .route(
            "/api/openapi.json",
            get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    doc_json,
                )
            }),
        )
        // Not an API route: the web app (GET/HEAD outside /api), else the JSON 404.
        .fallback(spa::serve)
        .with_state(state.clone());
    middleware::apply(router, &state.config)
}
