//! Tenants and their first users, as created by `pmo tenant create` and `pmo user create`.

use anyhow::Context;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::auth::password;
use crate::config::is_tenant_slug;

/// A new tenant's name and first administrator.
pub struct NewTenant {
    pub slug: String,
    pub name: String,
    pub admin: NewEmployee,
}

pub struct NewEmployee {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Plain password; hashed here, never stored.
    pub password: String,
    pub tenant_admin: bool,
}

#[derive(Debug)]
pub struct CreatedEmployee {
    pub id: Uuid,
    pub email: String,
}

/// Reasons a create command refuses its input. Each names what to change.
#[derive(Debug, thiserror::Error)]
pub enum TenancyError {
    #[error(
        "`{0}` is not a valid tenant slug: use 2–63 lowercase letters, digits and '-', starting with a letter or digit"
    )]
    InvalidSlug(String),
    #[error("tenant name must not be empty")]
    EmptyName,
    #[error("`{0}` is not a valid e-mail address")]
    InvalidEmail(String),
    #[error("passwords must be at least 8 characters")]
    WeakPassword,
    #[error("first and last name must not be empty")]
    EmptyPersonName,
    #[error("tenant `{0}` already exists")]
    TenantExists(String),
    #[error("tenant `{0}` does not exist (create it with `pmo tenant create`)")]
    UnknownTenant(String),
    #[error("an employee with e-mail {0} already exists in this tenant")]
    EmailTaken(String),
}

/// Creates a tenant with its datalabel defaults and first administrator, in one transaction.
pub async fn create_tenant(pool: &PgPool, tenant: NewTenant) -> anyhow::Result<CreatedEmployee> {
    let password_hash = validated_password_hash(&tenant.admin).await?;
    let mut tx = pool.begin().await?;
    let admin = create_tenant_in(&mut tx, tenant, &password_hash).await?;
    tx.commit().await?;
    Ok(admin)
}

/// Creates a tenant inside the caller's transaction, with an already hashed admin password.
pub async fn create_tenant_in(
    conn: &mut PgConnection,
    tenant: NewTenant,
    password_hash: &str,
) -> anyhow::Result<CreatedEmployee> {
    if !is_tenant_slug(&tenant.slug) {
        return Err(TenancyError::InvalidSlug(tenant.slug).into());
    }
    let name = tenant.name.trim();
    if name.is_empty() {
        return Err(TenancyError::EmptyName.into());
    }
    let inserted = sqlx::query(
        "INSERT INTO app.d_tenant (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&tenant.slug)
    .bind(name)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(TenancyError::TenantExists(tenant.slug).into());
    }
    sqlx::query("SELECT app.seed_tenant_datalabels($1)")
        .bind(&tenant.slug)
        .execute(&mut *conn)
        .await
        .context("creating the tenant's datalabel defaults failed")?;
    insert_employee(conn, &tenant.slug, &tenant.admin, password_hash).await
}

/// Adds an employee who can sign in to an existing tenant.
pub async fn create_employee(
    pool: &PgPool,
    tenant_slug: &str,
    employee: NewEmployee,
) -> anyhow::Result<CreatedEmployee> {
    let password_hash = validated_password_hash(&employee).await?;
    let mut tx = pool.begin().await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app.d_tenant WHERE id = $1)")
            .bind(tenant_slug)
            .fetch_one(&mut *tx)
            .await?;
    if !exists {
        return Err(TenancyError::UnknownTenant(tenant_slug.to_owned()).into());
    }
    let created = insert_employee(&mut tx, tenant_slug, &employee, &password_hash).await?;
    tx.commit().await?;
    Ok(created)
}

async fn validated_password_hash(employee: &NewEmployee) -> anyhow::Result<String> {
    if !is_plausible_email(&employee.email) {
        return Err(TenancyError::InvalidEmail(employee.email.clone()).into());
    }
    if employee.first_name.trim().is_empty() || employee.last_name.trim().is_empty() {
        return Err(TenancyError::EmptyPersonName.into());
    }
    if employee.password.chars().count() < 8 {
        return Err(TenancyError::WeakPassword.into());
    }
    password::hash_password_blocking(employee.password.clone()).await
}

/// Inserts the employee row and its registry entry.
async fn insert_employee(
    conn: &mut PgConnection,
    tenant: &str,
    employee: &NewEmployee,
    password_hash: &str,
) -> anyhow::Result<CreatedEmployee> {
    let email = employee.email.trim().to_lowercase();
    insert_employee_row(
        conn,
        tenant,
        &email,
        employee.first_name.trim(),
        employee.last_name.trim(),
        Some(password_hash),
        employee.tenant_admin,
        None,
    )
    .await
}

/// Inserts an employee (with or without a password: invited employees choose theirs) and registers
/// it. Refuses an e-mail address already used in the tenant, whatever its case.
#[expect(
    clippy::too_many_arguments,
    reason = "one row's columns; a struct would only rename them"
)]
pub async fn insert_employee_row(
    conn: &mut PgConnection,
    tenant: &str,
    email: &str,
    first: &str,
    last: &str,
    password_hash: Option<&str>,
    tenant_admin: bool,
    created_by: Option<Uuid>,
) -> anyhow::Result<CreatedEmployee> {
    let id = Uuid::now_v7();
    let name = format!("{first} {last}");
    // Codes are readable and unique without a counter: the tail of a time-ordered uuid.
    let code = format!("EMP-{}", &id.simple().to_string()[20..]).to_uppercase();
    let slug = code.to_lowercase();

    // The unique index decides, so two concurrent creates of one address cannot both pass a
    // check-then-insert; its violation is the caller's "taken" answer (409), not a 500.
    sqlx::query(
        "INSERT INTO app.d_employee
           (tenant_id, id, code, slug, name, email, first_name, last_name, password_hash, tenant_admin, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(tenant)
    .bind(id)
    .bind(&code)
    .bind(&slug)
    .bind(&name)
    .bind(email)
    .bind(first)
    .bind(last)
    .bind(password_hash)
    .bind(tenant_admin)
    .bind(created_by)
    .execute(&mut *conn)
    .await
    .map_err(|err| {
        if crate::db::violates(&err, "d_employee_email_uq") {
            anyhow::Error::from(TenancyError::EmailTaken(email.to_owned()))
        } else {
            anyhow::Error::from(err)
        }
    })?;
    sqlx::query(
        "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
         VALUES ($1, 'employee', $2, $3, $4, $5)",
    )
    .bind(tenant)
    .bind(id)
    .bind(&name)
    .bind(&code)
    .bind(&slug)
    .execute(&mut *conn)
    .await?;
    Ok(CreatedEmployee {
        id,
        email: email.to_owned(),
    })
}

/// A light check: one `@`, something before it, a dotted domain after it, no spaces.
pub fn is_plausible_email(value: &str) -> bool {
    let value = value.trim();
    match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
                && !domain.contains('@')
                && value.len() <= 254
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_plausible_email;

    #[test]
    fn email_check_accepts_addresses_and_refuses_junk() {
        assert!(is_plausible_email("james.miller@huronhome.ca"));
        assert!(!is_plausible_email("james.miller"));
        assert!(!is_plausible_email("@huronhome.ca"));
        assert!(!is_plausible_email("a@b"));
        assert!(!is_plausible_email("a b@c.d"));
        assert!(!is_plausible_email("a@b@c.d"));
    }
}
