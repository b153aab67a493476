//! Entities: the registry of the 18 entity types (defined once, in code) and its routes.
//!
//! The registry says, per type, which table holds it, which fields the API may expose or accept
//! (with their kinds, limits and list behaviour), which child types may be linked under it, and
//! how the web app shows it (labels, icon, sidebar group, kanban field). The generic CRUD,
//! permission, search and linkage code read it; `GET /api/v1/entity/types` serves it.

pub mod record_routes;
pub mod records;
pub mod registry;
pub mod routes;
pub mod row_json;
pub mod values;

pub use registry::{
    DefaultSort, EntityDef, EntityType, FieldDef, FieldKind, Generated, LinesDef, NavGroup,
    SortDirection, Storage, UnknownEntityType,
};

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The entity routes (`/api/v1/entity/...`), merged into the API router.
pub fn routes() -> OpenApiRouter<AppState> {
    routes::routes()
}
