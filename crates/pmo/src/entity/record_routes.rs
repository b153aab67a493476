//! HTTP routes of the generic records, registered for every registry type, with their OpenAPI
//! operations generated from the same registry:
//!
//! - `GET|POST /api/v1/{entity}`, `GET|PATCH|DELETE /api/v1/{entity}/{id}`, `POST /api/v1/{entity}/{id}/restore`
//! - `GET|POST /api/v1/{parent}/{id}/{child}` for every allowed child type
//! - `GET /api/v1/entity/{entity}/{id}/child-tabs`

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Schema, Type};
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::entity::records::{self, Caller, ParentLink, Scope};
use crate::entity::registry::{EntityDef, EntityType};
use crate::error::ApiError;
use crate::http::extract::{AppJson, AppPath, RequestMeta};
use crate::state::AppState;

/// Routes for every type and child pair.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for entity in EntityType::ALL {
        let base = format!("/api/v1/{entity}");
        router = router
            .route(
                &base,
                get(move |state, user, query| list(state, user, query, entity, None)).post(
                    move |state, user, meta, body| create(state, user, meta, body, entity, None),
                ),
            )
            .route(
                &format!("{base}/{{id}}"),
                get(move |state, user, path| read(state, user, path, entity))
                    .patch(move |state, user, meta, path, headers, body| {
                        update(state, user, meta, path, headers, body, entity)
                    })
                    .delete(move |state, user, meta, path, headers| {
                        remove(state, user, meta, path, headers, entity)
                    }),
            )
            .route(
                &format!("{base}/{{id}}/restore"),
                post(move |state, user, meta, path| restore(state, user, meta, path, entity)),
            )
            .route(
                &format!("/api/v1/entity/{entity}/{{id}}/child-tabs"),
                get(move |state, user, path| child_tabs(state, user, path, entity)),
            );
        for child in entity.registry().children {
            let child = *child;
            router = router.route(
                &format!("{base}/{{id}}/{child}"),
                get(move |state, user, path, query| {
                    list_children(state, user, path, query, entity, child)
                })
                .post(move |state, user, meta, path, body| {
                    create_child(state, user, meta, path, body, entity, child)
                }),
            );
        }
    }
    router
}

async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<HashMap<String, String>>,
    entity: EntityType,
    scope: Option<Scope>,
) -> Result<records::Page, ApiError> {
    list_page(&state, &user, &params, entity, scope.unwrap_or(Scope::All)).await
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    params: &HashMap<String, String>,
    entity: EntityType,
    scope: Scope,
) -> Result<records::Page, ApiError> {
    let def = entity.registry();
    let request = records::parse_list_request(def, params)?;
    records::list_records(
        &state.db,
        &state.cached_plans,
        user,
        def,
        scope,
        &request,
        &state.field_key,
    )
    .await
}

async fn list_children(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(parent_id): AppPath<Uuid>,
    Query(params): Query<HashMap<String, String>>,
    parent: EntityType,
    child: EntityType,
) -> Result<records::Page, ApiError> {
    // The parent must be visible: its children are not listed through an invisible record.
    crate::auth::permissions::require_instance_level(
        &state.db,
        &user,
        parent,
        parent_id,
        crate::auth::permissions::Level::View,
    )
    .await?;
    // And it must exist (admins and `all` grants hold levels on any id). The page's statement
    // tests that itself, so a missing parent reads as an empty page: only an empty page needs
    // the question asked apart, to answer 404 rather than no children.
    let scope = Scope::ChildrenOf { parent, parent_id };
    let page = list_page(&state, &user, &params, child, scope).await?;
    if page.is_empty() {
        records::require_existing(&state.db, &user.tenant_id, parent, parent_id).await?;
    }
    Ok(page)
}

async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
    entity: EntityType,
) -> Result<records::JsonText, ApiError> {
    records::get_record(&state.db, &user, entity, id, &state.field_key).await
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    meta: RequestMeta,
    AppJson(body): AppJson<Map<String, Value>>,
    entity: EntityType,
    parent: Option<ParentLink>,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    let caller = Caller {
        db: &state.db,
        user: &user,
        key: &state.field_key,
        meta: &meta,
    };
    let record = records::create_record(caller, entity, parent, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(record)))
}

async fn create_child(
    state: State<AppState>,
    user: CurrentUser,
    meta: RequestMeta,
    AppPath(parent_id): AppPath<Uuid>,
    body: AppJson<Map<String, Value>>,
    parent: EntityType,
    child: EntityType,
) -> Result<(StatusCode, axum::Json<Value>), ApiError> {
    create(
        state,
        user,
        meta,
        body,
        child,
        Some(ParentLink { parent, parent_id }),
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    meta: RequestMeta,
    AppPath(id): AppPath<Uuid>,
    headers: HeaderMap,
    AppJson(body): AppJson<Map<String, Value>>,
    entity: EntityType,
) -> Result<axum::Json<Value>, ApiError> {
    let expected = records::expected_version(if_match(&headers)?, &body)?;
    let caller = Caller {
        db: &state.db,
        user: &user,
        key: &state.field_key,
        meta: &meta,
    };
    Ok(axum::Json(
        records::update_record(caller, entity, id, &body, expected).await?,
    ))
}

async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    meta: RequestMeta,
    AppPath(id): AppPath<Uuid>,
    headers: HeaderMap,
    entity: EntityType,
) -> Result<StatusCode, ApiError> {
    let expected = records::expected_version(if_match(&headers)?, &Map::new())?;
    let caller = Caller {
        db: &state.db,
        user: &user,
        key: &state.field_key,
        meta: &meta,
    };
    records::set_active(caller, entity, id, false, expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn restore(
    State(state): State<AppState>,
    user: CurrentUser,
    meta: RequestMeta,
    AppPath(id): AppPath<Uuid>,
    entity: EntityType,
) -> Result<axum::Json<Value>, ApiError> {
    let caller = Caller {
        db: &state.db,
        user: &user,
        key: &state.field_key,
        meta: &meta,
    };
    Ok(axum::Json(
        records::set_active(caller, entity, id, true, None).await?,
    ))
}

async fn child_tabs(
    State(state): State<AppState>,
    user: CurrentUser,
    AppPath(id): AppPath<Uuid>,
    entity: EntityType,
) -> Result<axum::Json<Value>, ApiError> {
    let counts = records::child_counts(&state.db, &user, entity, id).await?;
    let tabs: Vec<Value> = entity
        .registry()
        .children
        .iter()
        .map(|child| {
            let def = child.registry();
            json!({ "entity": child, "label": def.plural_label, "icon": def.icon, "count": counts.get(child).copied().unwrap_or(0) })
        })
        .collect();
    Ok(axum::Json(
        json!({ "entity": entity, "id": id, "tabs": tabs }),
    ))
}

fn if_match(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    headers
        .get(header::IF_MATCH)
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::malformed("If-Match must be ASCII"))
        })
        .transpose()
}

// ---------------------------------------------------------------------------------------------
// OpenAPI, generated from the registry

/// The operations of every generated route, added to the document next to the annotated routes.
pub fn openapi_paths() -> Vec<(String, PathItem)> {
    let mut paths = Vec::new();
    for entity in EntityType::ALL {
        let def = entity.registry();
        let base = format!("/api/v1/{entity}");
        let mut collection = PathItem::new(
            HttpMethod::Get,
            list_operation(def, &format!("list_{entity}"), None),
        );
        collection.merge_operations(PathItem::new(
            HttpMethod::Post,
            create_operation(def, &format!("create_{entity}"), None),
        ));
        paths.push((base.clone(), collection));

        let mut item = PathItem::new(
            HttpMethod::Get,
            simple_operation(
                def,
                &format!("get_{entity}"),
                "Get one record (View).",
                true,
                200,
            ),
        );
        item.merge_operations(PathItem::new(HttpMethod::Patch, update_operation(def)));
        item.merge_operations(PathItem::new(
            HttpMethod::Delete,
            with_if_match(simple_operation(
                def,
                &format!("delete_{entity}"),
                "Soft-delete (Delete level); restorable.",
                false,
                204,
            )),
        ));
        paths.push((format!("{base}/{{id}}"), item));
        paths.push((
            format!("{base}/{{id}}/restore"),
            PathItem::new(
                HttpMethod::Post,
                simple_operation(
                    def,
                    &format!("restore_{entity}"),
                    "Restore a deleted record (Delete level).",
                    true,
                    200,
                ),
            ),
        ));
        paths.push((
            format!("/api/v1/entity/{entity}/{{id}}/child-tabs"),
            PathItem::new(
                HttpMethod::Get,
                simple_operation(
                    def,
                    &format!("get_{entity}_child_tabs"),
                    "Child types with the number of each the caller may see.",
                    true,
                    200,
                ),
            ),
        ));
        for child in def.children {
            let child_def = child.registry();
            let mut children = PathItem::new(
                HttpMethod::Get,
                list_operation(child_def, &format!("list_{entity}_{child}"), Some(def)),
            );
            children.merge_operations(PathItem::new(
                HttpMethod::Post,
                create_operation(child_def, &format!("create_{entity}_{child}"), Some(def)),
            ));
            paths.push((format!("{base}/{{id}}/{child}"), children));
        }
    }
    paths
}

fn record_schema() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "A record; its fields are described by GET /api/v1/entity/types.",
            ))
            .build(),
    ))
}

fn json_content(schema: RefOr<Schema>) -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(schema)).build()
}

fn error_responses(builder: OperationBuilder, codes: &[(&str, &str)]) -> OperationBuilder {
    codes
        .iter()
        .fold(builder, |builder, (status, description)| {
            builder.response(
                *status,
                ResponseBuilder::new()
                    .description(*description)
                    .content(
                        "application/json",
                        json_content(RefOr::Ref(Ref::from_schema_name("ErrorEnvelope"))),
                    )
                    .build(),
            )
        })
}

fn base_operation(def: &EntityDef, operation_id: &str, summary: String) -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some(operation_id))
        .summary(Some(summary))
        .tag(def.entity_type.as_str())
        .security(utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        ))
}

fn id_parameter() -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(utoipa::openapi::Required::True)
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).format(
            Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Uuid,
            )),
        )))
        .build()
}

fn query_parameter(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(utoipa::openapi::Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn list_operation(
    def: &EntityDef,
    operation_id: &str,
    parent: Option<&EntityDef>,
) -> utoipa::openapi::path::Operation {
    let summary = match parent {
        Some(parent) => format!(
            "{} of one {} (the caller must see the {}).",
            def.plural_label,
            parent.label.to_lowercase(),
            parent.label.to_lowercase()
        ),
        None => format!(
            "List {} the caller may view.",
            def.plural_label.to_lowercase()
        ),
    };
    let sortable: Vec<&str> = def
        .fields
        .iter()
        .filter(|f| f.sortable && !f.sensitive)
        .map(|f| f.name)
        .collect();
    let mut builder = base_operation(def, operation_id, summary);
    if parent.is_some() {
        builder = builder.parameter(id_parameter());
    }
    builder = builder
        .parameter(query_parameter("limit", "Page size, 1–200 (default 20)."))
        .parameter(query_parameter(
            "cursor",
            "`next_cursor` of the previous page.",
        ))
        .parameter(query_parameter(
            "q",
            "Text search over the searchable fields.",
        ))
        .parameter(query_parameter(
            "sort",
            &format!("One of: {}.", sortable.join(", ")),
        ))
        .parameter(query_parameter("order", "asc or desc."))
        .parameter(query_parameter("total", "true to include the total count."))
        .parameter(query_parameter(
            "deleted",
            "true to list deleted records instead (restorable).",
        ));
    for field in def.fields.iter().filter(|f| f.filterable && !f.sensitive) {
        builder = builder.parameter(query_parameter(
            field.name,
            &format!(
                "Filter on {}: `{0}=v`, `{0}.in=a,b`, `{0}.gte=`, `{0}.lte=`, `{0}.null=true`.",
                field.name
            ),
        ));
    }
    let page = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "data",
            utoipa::openapi::ArrayBuilder::new().items(record_schema()),
        )
        .property(
            "next_cursor",
            ObjectBuilder::new().schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                Type::String,
                Type::Null,
            ])),
        )
        .property("total", ObjectBuilder::new().schema_type(Type::Integer))
        .required("data")
        .build();
    builder = builder.response(
        "200",
        ResponseBuilder::new()
            .description("A page")
            .content(
                "application/json",
                json_content(RefOr::T(Schema::Object(page))),
            )
            .build(),
    );
    error_responses(
        builder,
        &[
            ("400", "Bad parameter, sort or cursor"),
            ("401", "Not signed in"),
            ("404", "Parent not visible"),
            ("422", "Invalid filter value"),
        ],
    )
    .build()
}

fn create_operation(
    def: &EntityDef,
    operation_id: &str,
    parent: Option<&EntityDef>,
) -> utoipa::openapi::path::Operation {
    let summary = match parent {
        Some(parent) => format!(
            "Create a {} under one {} and link it, in one transaction (Create on the type, Edit on the parent).",
            def.label.to_lowercase(),
            parent.label.to_lowercase()
        ),
        None => format!("Create a {} (Create level).", def.label.to_lowercase()),
    };
    let mut builder = base_operation(def, operation_id, summary);
    if parent.is_some() {
        builder = builder.parameter(id_parameter());
    }
    builder = builder
        .request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json_content(record_schema()))
                .required(Some(utoipa::openapi::Required::True))
                .build(),
        ))
        .response(
            "201",
            ResponseBuilder::new()
                .description("Created")
                .content("application/json", json_content(record_schema()))
                .build(),
        );
    error_responses(
        builder,
        &[
            ("400", "Malformed JSON"),
            ("401", "Not signed in"),
            ("403", "Not permitted"),
            ("404", "Parent not visible"),
            ("409", "Duplicate code or slug"),
            ("413", "Body too large"),
            ("415", "Not JSON"),
            ("422", "Invalid fields"),
        ],
    )
    .build()
}

fn update_operation(def: &EntityDef) -> utoipa::openapi::path::Operation {
    let builder = base_operation(
        def,
        &format!("update_{}", def.entity_type),
        format!(
            "Update fields of a {} at the version you read (Edit level).",
            def.label.to_lowercase()
        ),
    )
    .parameter(id_parameter())
    .request_body(Some(
        RequestBodyBuilder::new()
            .content("application/json", json_content(record_schema()))
            .required(Some(utoipa::openapi::Required::True))
            .build(),
    ))
    .response(
        "200",
        ResponseBuilder::new()
            .description("Updated")
            .content("application/json", json_content(record_schema()))
            .build(),
    );
    let builder = with_if_match_builder(builder);
    error_responses(
        builder,
        &[
            ("400", "Malformed JSON or missing version"),
            ("401", "Not signed in"),
            ("403", "Not permitted"),
            ("404", "Not found"),
            ("409", "Stale version; nothing written"),
            ("422", "Invalid fields"),
        ],
    )
    .build()
}

fn simple_operation(
    def: &EntityDef,
    operation_id: &str,
    summary: &str,
    returns_record: bool,
    status: u16,
) -> utoipa::openapi::path::Operation {
    let mut builder =
        base_operation(def, operation_id, summary.to_owned()).parameter(id_parameter());
    let response = if returns_record {
        ResponseBuilder::new()
            .description("OK")
            .content("application/json", json_content(record_schema()))
            .build()
    } else {
        ResponseBuilder::new().description("Done").build()
    };
    builder = builder.response(status.to_string(), response);
    error_responses(
        builder,
        &[
            ("400", "Malformed id"),
            ("401", "Not signed in"),
            ("403", "Not permitted"),
            ("404", "Not found"),
            ("409", "Conflict"),
        ],
    )
    .build()
}

fn with_if_match_builder(builder: OperationBuilder) -> OperationBuilder {
    builder.parameter(
        ParameterBuilder::new()
            .name("If-Match")
            .parameter_in(ParameterIn::Header)
            .required(utoipa::openapi::Required::False)
            .description(Some(
                "The version you read, e.g. \"3\" (or `version` in the body).",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build(),
    )
}

fn with_if_match(
    mut operation: utoipa::openapi::path::Operation,
) -> utoipa::openapi::path::Operation {
    let parameter = ParameterBuilder::new()
        .name("If-Match")
        .parameter_in(ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some("Delete only at this version."))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build();
    operation
        .parameters
        .get_or_insert_with(Vec::new)
        .push(RefOr::T(parameter));
    operation
}
