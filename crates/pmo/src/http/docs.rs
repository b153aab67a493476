//! `GET /api/docs`: a self-hosted, script-free reference page rendered from the OpenAPI document
//! (no CDN, nothing to download; the machine-readable spec stays at `/api/openapi.json`).

use std::fmt::Write;

use utoipa::openapi::path::{HttpMethod, Operation, ParameterIn, PathItem};
use utoipa::openapi::{OpenApi, RefOr};

/// Renders the whole document as one HTML page.
pub fn render(doc: &OpenApi) -> String {
    let mut body = String::new();
    let mut toc = String::new();
    for (path, item) in &doc.paths.paths {
        for (method, operation) in operations(item) {
            let id = operation
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {path}"));
            let anchor = escape(&id);
            let _ = write!(
                toc,
                "<li><a href=\"#{anchor}\"><code>{}</code> {}</a></li>",
                method.to_uppercase(),
                escape(path)
            );
            let _ = write!(
                body,
                "<section id=\"{anchor}\"><h2><span class=\"m {m}\">{M}</span> <code>{p}</code></h2><p class=\"id\">{anchor}</p>",
                m = method,
                M = method.to_uppercase(),
                p = escape(path)
            );
            if let Some(summary) = &operation.summary {
                let _ = write!(body, "<p>{}</p>", escape(summary));
            }
            if let Some(description) = &operation.description {
                let _ = write!(body, "<p>{}</p>", escape(description));
            }
            if let Some(parameters) = &operation.parameters
                && !parameters.is_empty()
            {
                body.push_str("<table><tr><th>parameter</th><th>in</th><th>required</th><th>description</th></tr>");
                for parameter in parameters {
                    if let RefOr::T(parameter) = parameter {
                        let location = match parameter.parameter_in {
                            ParameterIn::Path => "path",
                            ParameterIn::Query | ParameterIn::QueryString => "query",
                            ParameterIn::Header => "header",
                            ParameterIn::Cookie => "cookie",
                        };
                        let required =
                            matches!(parameter.required, utoipa::openapi::Required::True);
                        let _ = write!(
                            body,
                            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            escape(&parameter.name),
                            location,
                            if required { "yes" } else { "" },
                            escape(parameter.description.as_deref().unwrap_or(""))
                        );
                    }
                }
                body.push_str("</table>");
            }
            let statuses: Vec<String> = operation
                .responses
                .responses
                .iter()
                .map(|(status, response)| match response {
                    RefOr::T(response) => format!(
                        "<code>{}</code> {}",
                        escape(status),
                        escape(&response.description)
                    ),
                    RefOr::Ref(_) => format!("<code>{}</code>", escape(status)),
                })
                .collect();
            let _ = write!(
                body,
                "<p class=\"r\">{}</p></section>",
                statuses.join(" · ")
            );
        }
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — API reference</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{STYLE}</style></head><body>\
         <header><h1>{title} <small>{version}</small></h1><p>Conventions: envelopes, pagination, errors — docs/API-DESIGN.md. \
         Machine-readable: <a href=\"/api/openapi.json\">/api/openapi.json</a>. Record fields per type: \
         <code>GET /api/v1/entity/types</code>.</p></header><nav><ul>{toc}</ul></nav><main>{body}</main></body></html>",
        title = escape(&doc.info.title),
        version = escape(&doc.info.version),
    )
}

fn operations(item: &PathItem) -> Vec<(&'static str, &Operation)> {
    let candidates = [
        (HttpMethod::Get, "get", &item.get),
        (HttpMethod::Post, "post", &item.post),
        (HttpMethod::Put, "put", &item.put),
        (HttpMethod::Patch, "patch", &item.patch),
        (HttpMethod::Delete, "delete", &item.delete),
    ];
    candidates
        .into_iter()
        .filter_map(|(_, name, operation)| operation.as_ref().map(|op| (name, op)))
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:22rem 1fr;color:#1f2937}\
header{grid-column:1/3;padding:1rem 2rem;border-bottom:1px solid #e5e7eb}nav{max-height:calc(100vh - 8rem);overflow:auto;\
padding:0 1rem;font-size:13px;position:sticky;top:0}nav ul{list-style:none;padding:0}main{padding:0 2rem}section{border-bottom:\
1px solid #f3f4f6;padding:.5rem 0}h2{font-size:16px}.id{color:#6b7280;font-size:12px;margin:0}.m{display:inline-block;min-width:4rem;\
text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}.get{background:#2563eb}.post{background:#16a34a}\
.patch{background:#d97706}.delete{background:#dc2626}.put{background:#7c3aed}table{border-collapse:collapse;font-size:13px}\
td,th{border:1px solid #e5e7eb;padding:2px 8px;text-align:left}.r{font-size:13px;color:#374151}\
@media (prefers-color-scheme:dark){body{background:#111827;color:#e5e7eb}header,section{border-color:#374151}td,th{border-color:#374151}.r{color:#d1d5db}}\
@media (max-width:800px){body{display:block}nav{display:none}}";

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_lists_operations_and_escapes_text() {
        let page = super::render(&crate::http::router::openapi_document());
        assert!(
            page.contains("get_health")
                && page.contains("list_project")
                && page.contains("/api/v1/auth/login")
        );
        assert!(
            !page.contains("<script"),
            "no script: the CSP forbids it and nothing needs it"
        );
        assert_eq!(
            super::escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }
}
