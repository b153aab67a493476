//! The OpenAPI document, generated from the route annotations.

use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::error::ErrorEnvelope;

#[derive(OpenApi)]
#[openapi(
    info(title = "PMO Enterprise Platform API", description = "Multi-tenant project-management-office platform. \
        Conventions (envelopes, pagination, errors): docs/API-DESIGN.md."),
    components(schemas(ErrorEnvelope, crate::datalabel::DatalabelName)),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness, readiness and dependency health"),
        (name = "auth", description = "Sign-in, sessions, password reset, invitations"),
        (name = "rbac", description = "Permission grants and checks"),
        (name = "entity", description = "The entity registry"),
        (name = "artifact", description = "File attachments: presigned uploads and downloads, versions"),
        (name = "linkage", description = "Parent-child links between records"),
        (name = "setting", description = "Datalabels: stages, levels, statuses and other vocabularies"),
        (name = "search", description = "Global search and picker options"),
        (name = "form", description = "Form submissions and their approval"),
    ),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The document as pretty JSON with a trailing newline — the form committed as `openapi.json`.
pub fn document_json(doc: &utoipa::openapi::OpenApi) -> anyhow::Result<String> {
    let mut json = serde_json::to_string_pretty(doc)?;
    json.push('\n');
    Ok(json)
}
