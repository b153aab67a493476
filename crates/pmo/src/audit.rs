//! The audit log: logins, permission changes and every mutation, written in the same transaction as
//! the change it records (append-only in the database).

use serde_json::Value;
use sqlx::PgExecutor;
use uuid::Uuid;

use crate::http::extract::RequestMeta;

/// One audit record. `before`/`after` hold the changed record's state for updates.
#[derive(Debug, Default)]
pub struct AuditEntry<'a> {
    pub tenant_id: Option<&'a str>,
    pub actor: Option<Uuid>,
    /// Dotted action name, e.g. `auth.login`, `project.update`, `rbac.grant`.
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub details: Option<Value>,
}

pub async fn record<'e>(
    db: impl PgExecutor<'e>,
    meta: &RequestMeta,
    entry: AuditEntry<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO app.audit_log
           (tenant_id, actor_employee_id, actor_ip, actor_user_agent, action, target_type, target_id, before, after, details, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, coalesce($10, '{}'::jsonb), $11)",
    )
    .bind(entry.tenant_id)
    .bind(entry.actor)
    .bind(meta.ip)
    .bind(meta.user_agent.as_deref())
    .bind(entry.action)
    .bind(entry.target_type)
    .bind(entry.target_id)
    .bind(entry.before)
    .bind(entry.after)
    .bind(entry.details)
    .bind(meta.request_id.as_deref())
    .execute(db)
    .await?;
    Ok(())
}
