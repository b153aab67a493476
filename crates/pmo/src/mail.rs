//! Outgoing mail: a transactional outbox plus templates.
//!
//! - Every message is a row of `app.mail_outbox`, written on the caller's connection — pass the
//!   transaction of the change that causes the mail, so the mail exists exactly when the change does.
//! - Embedded default (no `mail.smtp_url`): the message is also delivered to the development mailbox
//!   (`app.dev_mailbox`, read by tenant admins through `GET /api/v1/dev-mailbox`) in that same
//!   transaction, so `make run` needs no worker and tests see mail at once.
//! - With SMTP the row stays `queued`; the mailer (`jobs::mailer`, running inside `pmo serve`)
//!   delivers it with retries and backoff, claiming rows with `FOR UPDATE SKIP LOCKED`, so several
//!   instances never send one message twice.
//! - Templates: `enqueue_template` renders a tenant's published `d_email_template` row for the code,
//!   else the built-in default below. `{{name}}` placeholders; values are HTML-escaped in HTML
//!   bodies; a placeholder without a value is an error and nothing is written (never half-rendered).

use std::collections::BTreeMap;

use anyhow::Context;
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::config::Config;

pub struct OutgoingMail<'a> {
    pub tenant_id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    /// Which template produced it (for the outbox view), e.g. `password_reset`.
    pub template_code: &'a str,
}

/// Queues a pre-rendered plain-text message and, with the development mailbox, delivers it at once.
pub async fn enqueue(
    conn: &mut PgConnection,
    config: &Config,
    mail: OutgoingMail<'_>,
) -> Result<Uuid, sqlx::Error> {
    write_outbox(
        conn,
        config,
        &Rendered {
            subject: mail.subject.to_owned(),
            body_text: mail.body_text.to_owned(),
            body_html: None,
        },
        mail.tenant_id,
        mail.to,
        mail.template_code,
    )
    .await
}

/// A message to render from a template.
pub struct TemplateMail<'a> {
    pub tenant_id: &'a str,
    pub to: &'a str,
    /// `d_email_template.code`, e.g. `invitation`.
    pub template_code: &'a str,
    /// Values for the template's `{{placeholders}}` (strings, numbers and booleans).
    pub variables: &'a serde_json::Map<String, Value>,
}

/// Renders the tenant's template (or the built-in default) and queues the result on `conn`.
/// Errors: no such template, or a placeholder without a value ([`TemplateError`], reachable
/// with `downcast_ref`); nothing is written then.
pub async fn enqueue_template(
    conn: &mut PgConnection,
    config: &Config,
    mail: TemplateMail<'_>,
) -> anyhow::Result<Uuid> {
    let template = find_template(&mut *conn, mail.tenant_id, mail.template_code)
        .await
        .context("reading the e-mail template")?
        .ok_or_else(|| TemplateError::Unknown {
            code: mail.template_code.to_owned(),
        })?;
    let rendered = template.render(mail.variables)?;
    let id = write_outbox(
        conn,
        config,
        &rendered,
        mail.tenant_id,
        mail.to,
        mail.template_code,
    )
    .await?;
    Ok(id)
}

/// Tells the assignee of a task that it is theirs (task→employee link created or reactivated).
/// Writes nothing when the employee has no address or is inactive.
pub async fn notify_task_assigned(
    conn: &mut PgConnection,
    config: &Config,
    tenant: &str,
    task_id: Uuid,
    employee_id: Uuid,
    assigned_by: &str,
) -> anyhow::Result<Option<Uuid>> {
    // The project is a link (project → task), not a column.
    let row: Option<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT e.email, e.name, t.name, t.code,
                (SELECT p.name FROM app.d_entity_id_map m
                 JOIN app.d_project p ON p.tenant_id = m.tenant_id AND p.id = m.parent_entity_id
                 WHERE m.tenant_id = t.tenant_id AND m.parent_entity_type = 'project'
                   AND m.child_entity_type = 'task' AND m.child_entity_id = t.id AND m.active_flag
                 ORDER BY m.created_ts LIMIT 1)
         FROM app.d_employee e
         JOIN app.d_task t ON t.tenant_id = e.tenant_id AND t.id = $3
         WHERE e.tenant_id = $1 AND e.id = $2 AND e.active_flag",
    )
    .bind(tenant)
    .bind(employee_id)
    .bind(task_id)
    .fetch_optional(&mut *conn)
    .await
    .context("reading the assignment")?;
    let Some((email, employee_name, task_name, task_code, project_name)) = row else {
        return Ok(None);
    };
    let mut variables = serde_json::Map::new();
    variables.insert("employee_name".into(), employee_name.into());
    variables.insert("task_name".into(), task_name.into());
    variables.insert("task_code".into(), task_code.into());
    variables.insert(
        "project_name".into(),
        project_name
            .unwrap_or_else(|| "no project".to_owned())
            .into(),
    );
    variables.insert("assigned_by".into(), assigned_by.into());
    variables.insert(
        "task_url".into(),
        format!("{}/task/{task_id}", config.public_base_url()).into(),
    );
    let id = enqueue_template(
        conn,
        config,
        TemplateMail {
            tenant_id: tenant,
            to: &email,
            template_code: "task_assigned",
            variables: &variables,
        },
    )
    .await?;
    Ok(Some(id))
}

/// What happened to a form submission that needs approval, for `notify_form_approval`.
pub enum FormApprovalEvent {
    /// A submission waits for the approver's decision.
    Requested,
    /// The approver decided; `decision` is the approval status's display name.
    Decided { decision: String },
}

/// Form-approval notifications. The forms API calls this in the transaction that submits or
/// decides (see docs/OBSERVABILITY.md, "Mail"): `Requested` goes to the approver, `Decided` to the
/// submitter.
#[allow(clippy::too_many_arguments)]
pub async fn notify_form_approval(
    conn: &mut PgConnection,
    config: &Config,
    tenant: &str,
    to: &str,
    recipient_name: &str,
    form_name: &str,
    submission_url: &str,
    event: FormApprovalEvent,
) -> anyhow::Result<Uuid> {
    let mut variables = serde_json::Map::new();
    variables.insert("recipient_name".into(), recipient_name.into());
    variables.insert("form_name".into(), form_name.into());
    variables.insert("submission_url".into(), submission_url.into());
    let code = match event {
        FormApprovalEvent::Requested => "form_approval_requested",
        FormApprovalEvent::Decided { decision } => {
            variables.insert("decision".into(), decision.into());
            "form_approval_decided"
        }
    };
    enqueue_template(
        conn,
        config,
        TemplateMail {
            tenant_id: tenant,
            to,
            template_code: code,
            variables: &variables,
        },
    )
    .await
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

async fn write_outbox(
    conn: &mut PgConnection,
    config: &Config,
    mail: &Rendered,
    tenant: &str,
    to: &str,
    template_code: &str,
) -> Result<Uuid, sqlx::Error> {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO app.mail_outbox (tenant_id, to_address, subject, body_text, body_html, template_code)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(tenant)
    .bind(to)
    .bind(&mail.subject)
    .bind(&mail.body_text)
    .bind(&mail.body_html)
    .bind(template_code)
    .fetch_one(&mut *conn)
    .await?;
    if config.mail.smtp_url.is_none() {
        deliver_to_dev_mailbox(&mut *conn, id, &config.mail.from_address).await?;
    }
    Ok(id)
}

/// Moves one outbox message into the development mailbox and marks it sent (once: a second call
/// does nothing). Used in the writer's transaction and by the mailer for rows queued without SMTP.
pub async fn deliver_to_dev_mailbox<'e>(
    db: impl PgExecutor<'e>,
    outbox_id: Uuid,
    from_address: &str,
) -> Result<bool, sqlx::Error> {
    let delivered = sqlx::query(
        "WITH message AS (
           SELECT id, tenant_id, to_address, subject, body_text, body_html FROM app.mail_outbox
           WHERE id = $1 AND status = 'queued'),
         delivered AS (
           INSERT INTO app.dev_mailbox (tenant_id, outbox_id, to_address, from_address, subject, body_text, body_html)
           SELECT tenant_id, id, to_address, $2, subject, body_text, body_html FROM message
           ON CONFLICT (outbox_id) DO NOTHING RETURNING outbox_id)
         UPDATE app.mail_outbox SET status = 'sent', sent_ts = now(), attempts = attempts + 1, last_error = NULL
         WHERE id IN (SELECT outbox_id FROM delivered)",
    )
    .bind(outbox_id)
    .bind(from_address)
    .execute(db)
    .await?;
    Ok(delivered.rows_affected() == 1)
}

/// Why a template could not produce a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("no published e-mail template `{code}` and no built-in default")]
    Unknown { code: String },
    #[error("e-mail template `{code}` uses {{{{{variable}}}}} but no value was given for it")]
    MissingVariable { code: String, variable: String },
    #[error("e-mail template `{code}` has an unterminated `{{{{` in its {part}")]
    Unterminated { code: String, part: &'static str },
    #[error("e-mail template `{code}` has no text body (body_text or body_markdown)")]
    NoBody { code: String },
}

/// A template as stored (or built in).
#[derive(Debug, Clone)]
pub struct Template {
    pub code: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
}

impl Template {
    /// Renders every part; any missing value fails the whole message.
    pub fn render(
        &self,
        variables: &serde_json::Map<String, Value>,
    ) -> Result<Rendered, TemplateError> {
        let values: BTreeMap<&str, String> = variables
            .iter()
            .map(|(key, value)| {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (key.as_str(), text)
            })
            .collect();
        // Headers must stay on one line whatever a value contains.
        let subject = render_part(&self.code, "subject", &self.subject, &values, false)?
            .replace(['\r', '\n'], " ");
        let body_text = render_part(&self.code, "text body", &self.body_text, &values, false)?;
        let body_html = self
            .body_html
            .as_deref()
            .map(|html| render_part(&self.code, "HTML body", html, &values, true))
            .transpose()?;
        Ok(Rendered {
            subject,
            body_text,
            body_html,
        })
    }
}

/// Replaces `{{ name }}` placeholders (letters, digits, `_`, `.`); HTML-escapes values when `html`.
fn render_part(
    code: &str,
    part: &'static str,
    source: &str,
    values: &BTreeMap<&str, String>,
    html: bool,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unterminated {
                code: code.to_owned(),
                part,
            })?;
        let name = after[..end].trim();
        let value = values
            .get(name)
            .ok_or_else(|| TemplateError::MissingVariable {
                code: code.to_owned(),
                variable: name.to_owned(),
            })?;
        if html {
            out.push_str(&escape_html(value));
        } else {
            out.push_str(value);
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// subject, body_text, body_markdown, body_html
type TemplateRow = (String, Option<String>, Option<String>, Option<String>);

/// The tenant's active, published template for `code`, else the built-in default.
pub async fn find_template<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    code: &str,
) -> Result<Option<Template>, anyhow::Error> {
    let row: Option<TemplateRow> = sqlx::query_as(
        "SELECT subject, body_text, body_markdown, body_html FROM app.d_email_template
         WHERE tenant_id = $1 AND code = $2 AND active_flag AND status = 'published'
           AND (to_ts IS NULL OR to_ts > now())",
    )
    .bind(tenant)
    .bind(code)
    .fetch_optional(db)
    .await?;
    match row {
        Some((subject, body_text, body_markdown, body_html)) => {
            let body_text = body_text
                .or(body_markdown)
                .ok_or_else(|| TemplateError::NoBody {
                    code: code.to_owned(),
                })?;
            Ok(Some(Template {
                code: code.to_owned(),
                subject,
                body_text,
                body_html,
            }))
        }
        None => Ok(builtin_template(code)),
    }
}

/// Built-in defaults: (code, subject, text body, HTML body). A tenant overrides one by publishing a
/// `d_email_template` with the same code; the variables each code receives are listed in
/// docs/OBSERVABILITY.md ("Mail").
const BUILTIN_TEMPLATES: &[(&str, &str, &str, &str)] = &[
    (
        "password_reset",
        "Reset your PMO password",
        "Someone asked to reset the password of your PMO account ({{email}}).\n\n\
         Choose a new password here (the link works once, for {{minutes}} minutes):\n{{link}}\n\n\
         If this was not you, ignore this message; your password stays as it is.\n",
        "<p>Someone asked to reset the password of your PMO account ({{email}}).</p>\
         <p><a href=\"{{link}}\">Choose a new password</a> (the link works once, for {{minutes}} minutes).</p>\
         <p>If this was not you, ignore this message; your password stays as it is.</p>",
    ),
    (
        "invitation",
        "You are invited to PMO",
        "{{inviter_name}} invited you to PMO.\n\n\
         Choose your password here (the link works once, for {{days}} day(s)):\n{{link}}\n",
        "<p>{{inviter_name}} invited you to PMO.</p>\
         <p><a href=\"{{link}}\">Choose your password</a> (the link works once, for {{days}} day(s)).</p>",
    ),
    (
        "task_assigned",
        "Task assigned to you: {{task_name}}",
        "Hello {{employee_name}},\n\n{{assigned_by}} assigned you the task \"{{task_name}}\" \
         ({{task_code}}, project {{project_name}}).\n\nOpen it: {{task_url}}\n",
        "<p>Hello {{employee_name}},</p><p>{{assigned_by}} assigned you the task \
         <strong>{{task_name}}</strong> ({{task_code}}, project {{project_name}}).</p>\
         <p><a href=\"{{task_url}}\">Open the task</a></p>",
    ),
    (
        "form_approval_requested",
        "Approval needed: {{form_name}}",
        "Hello {{recipient_name}},\n\nA submission of the form \"{{form_name}}\" waits for your \
         approval.\n\nReview it: {{submission_url}}\n",
        "<p>Hello {{recipient_name}},</p><p>A submission of the form <strong>{{form_name}}</strong> \
         waits for your approval.</p><p><a href=\"{{submission_url}}\">Review it</a></p>",
    ),
    (
        "form_approval_decided",
        "{{form_name}}: {{decision}}",
        "Hello {{recipient_name}},\n\nYour submission of the form \"{{form_name}}\" was \
         {{decision}}.\n\nSee it: {{submission_url}}\n",
        "<p>Hello {{recipient_name}},</p><p>Your submission of the form <strong>{{form_name}}</strong> \
         was {{decision}}.</p><p><a href=\"{{submission_url}}\">See it</a></p>",
    ),
];

pub fn builtin_template(code: &str) -> Option<Template> {
    BUILTIN_TEMPLATES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(code, subject, text, html)| Template {
            code: (*code).to_owned(),
            subject: (*subject).to_owned(),
            body_text: (*text).to_owned(),
            body_html: Some((*html).to_owned()),
        })
}

/// The codes that have a built-in default.
pub fn builtin_codes() -> impl Iterator<Item = &'static str> {
    BUILTIN_TEMPLATES.iter().map(|(code, ..)| *code)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;

    fn vars(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn renders_escapes_html_and_keeps_subjects_on_one_line() {
        let template = Template {
            code: "t".into(),
            subject: "Hi {{ name }}".into(),
            body_text: "Dear {{name}}, you owe {{amount}}.".into(),
            body_html: Some("<p>Dear {{name}}</p>".into()),
        };
        let rendered = template
            .render(&vars(
                json!({"name": "<Bob & \"Co\">\nBcc: x@y", "amount": 12}),
            ))
            .unwrap();
        assert_eq!(rendered.subject, "Hi <Bob & \"Co\"> Bcc: x@y");
        assert_eq!(
            rendered.body_text,
            "Dear <Bob & \"Co\">\nBcc: x@y, you owe 12."
        );
        assert_eq!(
            rendered.body_html.unwrap(),
            "<p>Dear &lt;Bob &amp; &quot;Co&quot;&gt;\nBcc: x@y</p>"
        );
    }

    #[test]
    fn a_missing_variable_or_broken_placeholder_is_an_error() {
        let template = Template {
            code: "welcome".into(),
            subject: "Hi".into(),
            body_text: "Hello {{first_name}}".into(),
            body_html: None,
        };
        assert_eq!(
            template.render(&vars(json!({}))).unwrap_err(),
            TemplateError::MissingVariable {
                code: "welcome".into(),
                variable: "first_name".into()
            }
        );
        let broken = Template {
            body_text: "Hello {{first_name".into(),
            ..template
        };
        assert!(matches!(
            broken.render(&vars(json!({"first_name": "A"}))),
            Err(TemplateError::Unterminated { .. })
        ));
    }

    #[test]
    fn every_builtin_renders_with_its_documented_variables() {
        let all = vars(json!({
            "email": "a@b.c", "minutes": 60, "link": "http://x/y?token=t", "inviter_name": "Ada",
            "days": 7, "employee_name": "Bo", "task_name": "Paint", "task_code": "TSK-1",
            "project_name": "House", "assigned_by": "Ada", "task_url": "http://x/task/1",
            "recipient_name": "Cy", "form_name": "Safety", "submission_url": "http://x/f/1",
            "decision": "approved"
        }));
        for code in builtin_codes() {
            builtin_template(code).unwrap().render(&all).unwrap();
        }
    }
}
