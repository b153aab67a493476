//! `GET /api/v1/entity/types[/{entity}]`: the registry as the web app renders from it.
//!
//! The answer is the same for every caller and every request, so it is serialized once and kept;
//! clients may cache it for a few minutes (a new release changes it, nothing else does).

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::entity::registry::{
    DefaultSort, EntityDef, EntityType, FieldDef, FieldKind, Generated, LinesDef, NavGroup,
};
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::state::AppState;

const CACHE_CONTROL: &str = "private, max-age=300";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entity_types))
        .routes(routes!(get_entity_type))
}

/// Every entity type, in display order.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityTypeList {
    pub data: Vec<EntityTypeInfo>,
}

/// One entity type: how to label, list, filter, edit and nest it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityTypeInfo {
    pub name: EntityType,
    pub label: &'static str,
    pub plural_label: &'static str,
    /// A lucide icon name.
    pub icon: &'static str,
    pub display_order: u16,
    pub nav_group: NavGroup,
    /// The field that names a record.
    pub title_field: &'static str,
    /// Types that may be created or linked under a record of this type (detail-page tabs).
    pub children: Vec<ChildTypeInfo>,
    /// Every field the API exposes or accepts, in form order.
    pub fields: Vec<FieldInfo>,
    pub default_sort: DefaultSort,
    /// The datalabel field a kanban board groups by.
    pub kanban_field: Option<&'static str>,
    /// The lines of a header/line type (order, shipment, invoice).
    pub lines: Option<LinesInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildTypeInfo {
    pub name: EntityType,
    pub label: &'static str,
    pub plural_label: &'static str,
    pub icon: &'static str,
    /// The child's field that holds the parent (e.g. `order_id` for order → invoice), which a
    /// create under the parent fills in; `null` when the pair is a link.
    pub parent_field: Option<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinesInfo {
    pub label: &'static str,
    pub plural_label: &'static str,
    pub fields: Vec<FieldInfo>,
    pub default_sort: DefaultSort,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldInfo {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: FieldKind,
    /// Must be given on create.
    pub required: bool,
    /// Never accepted in a write.
    pub read_only: bool,
    /// Filled in by the server when a create omits it.
    pub generated: Option<Generated>,
    pub filterable: bool,
    pub sortable: bool,
    /// Searched by a list's `q`.
    pub searchable: bool,
    /// Never in lists; only present for callers with Edit on the record.
    pub sensitive: bool,
    pub max_length: Option<u32>,
    /// A regular expression the whole value must match.
    pub pattern: Option<&'static str>,
    pub min: Option<i64>,
    /// `min` itself is not accepted (quantities must be above zero).
    pub min_exclusive: bool,
    pub max: Option<i64>,
    /// For datalabel fields: the datalabel (`GET /api/v1/setting/{datalabel}` lists its values).
    pub datalabel: Option<&'static str>,
    /// For reference fields: the entity type referred to.
    pub reference: Option<EntityType>,
}

impl From<&'static FieldDef> for FieldInfo {
    fn from(field: &'static FieldDef) -> Self {
        FieldInfo {
            name: field.name,
            label: field.label,
            kind: field.kind,
            required: field.required,
            read_only: field.read_only,
            generated: field.generated,
            filterable: field.filterable,
            sortable: field.sortable,
            searchable: field.searchable,
            sensitive: field.sensitive,
            max_length: field.max_length,
            pattern: field.pattern,
            min: field.min,
            min_exclusive: field.min_exclusive,
            max: field.max,
            datalabel: field.kind.datalabel(),
            reference: field.kind.reference(),
        }
    }
}

impl From<&'static LinesDef> for LinesInfo {
    fn from(lines: &'static LinesDef) -> Self {
        LinesInfo {
            label: lines.label,
            plural_label: lines.plural_label,
            fields: lines.fields.iter().map(FieldInfo::from).collect(),
            default_sort: lines.default_sort,
        }
    }
}

impl From<&'static EntityDef> for EntityTypeInfo {
    fn from(def: &'static EntityDef) -> Self {
        let children = def
            .children
            .iter()
            .map(|&child| {
                let child_def = child.registry();
                ChildTypeInfo {
                    name: child,
                    label: child_def.label,
                    plural_label: child_def.plural_label,
                    icon: child_def.icon,
                    parent_field: child_def
                        .parent_reference(def.entity_type)
                        .map(|field| field.name),
                }
            })
            .collect();
        EntityTypeInfo {
            name: def.entity_type,
            label: def.label,
            plural_label: def.plural_label,
            icon: def.icon,
            display_order: def.display_order,
            nav_group: def.nav_group,
            title_field: def.title_field,
            children,
            fields: def.fields.iter().map(FieldInfo::from).collect(),
            default_sort: def.default_sort,
            kanban_field: def.kanban_field,
            lines: def.lines.as_ref().map(LinesInfo::from),
        }
    }
}

/// The serialized answers, built on first use.
struct Answers {
    list: Bytes,
    /// Indexed by `EntityType as usize`.
    each: Vec<Bytes>,
}

static ANSWERS: OnceLock<Answers> = OnceLock::new();

fn answers() -> Result<&'static Answers, ApiError> {
    if let Some(answers) = ANSWERS.get() {
        return Ok(answers);
    }
    let list = EntityTypeList {
        data: EntityType::in_display_order()
            .into_iter()
            .map(|entity_type| entity_type.registry().into())
            .collect(),
    };
    let each = EntityType::ALL
        .into_iter()
        .map(|entity_type| {
            serde_json::to_vec(&EntityTypeInfo::from(entity_type.registry())).map(Bytes::from)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::from)?;
    let list = Bytes::from(serde_json::to_vec(&list).map_err(anyhow::Error::from)?);
    Ok(ANSWERS.get_or_init(|| Answers { list, each }))
}

fn cached_json(body: Bytes) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, CACHE_CONTROL),
        ],
        body,
    )
        .into_response()
}

/// The entity registry: every type with its fields, child types, icon and sidebar group.
#[utoipa::path(get, path = "/api/v1/entity/types", tag = "entity", operation_id = "list_entity_types",
    responses((status = 200, body = EntityTypeList,
        headers(("Cache-Control" = String, description = "private, max-age=300")))))]
async fn list_entity_types(State(_state): State<AppState>) -> Result<Response, ApiError> {
    Ok(cached_json(answers()?.list.clone()))
}

/// One entity type of the registry. An unknown name is 404, like any resource that does not exist.
#[utoipa::path(get, path = "/api/v1/entity/types/{entity}", tag = "entity", operation_id = "get_entity_type",
    params(("entity" = EntityType, Path, description = "Entity type name")),
    responses(
        (status = 200, body = EntityTypeInfo, headers(("Cache-Control" = String, description = "private, max-age=300"))),
        (status = 404, body = ErrorEnvelope, description = "No such entity type"),
    ))]
async fn get_entity_type(
    State(_state): State<AppState>,
    entity: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    // A name that does not even decode (invalid UTF-8) is just another unknown type.
    let name = entity.map(|Path(name)| name).unwrap_or_default();
    let entity_type = name.parse::<EntityType>().map_err(|_| {
        ApiError::new(
            ErrorCode::NotFound,
            format!("no entity type named `{name}`"),
        )
    })?;
    let body = answers()?
        .each
        .get(entity_type as usize)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("entity type answer missing for {entity_type}"))?;
    Ok(cached_json(body))
}
