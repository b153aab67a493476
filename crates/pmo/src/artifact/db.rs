//! The artifact queries. Every one is scoped by tenant; values are always bound.

use serde_json::Value;
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use crate::artifact::model::{ARTIFACT_COLUMNS, Artifact, ArtifactRow};
use crate::entity::EntityType;

/// A pending upload about to be recorded.
pub struct NewArtifact<'a> {
    pub tenant: &'a str,
    pub id: Uuid,
    pub owner: (EntityType, Uuid),
    pub name: &'a str,
    pub descr: Option<&'a str>,
    pub artifact_type: &'a str,
    pub file_name: &'a str,
    pub file_format: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: Option<&'a str>,
    pub storage_key: &'a str,
    /// `None` for a first upload (its own root).
    pub root: Option<Uuid>,
    pub file_version: i32,
    pub is_latest_version: bool,
    pub metadata: Value,
    pub actor: Uuid,
    /// The writer's cache: the new link changes what cascading grants reach.
    pub cache: Option<&'a crate::cache::Cache>,
}

/// Records a pending upload: the artifact row, its registry entry and the owner → artifact link.
/// Run inside the caller's transaction.
pub async fn insert_pending(
    conn: &mut PgConnection,
    new: &NewArtifact<'_>,
) -> Result<ArtifactRow, sqlx::Error> {
    let simple = new.id.simple().to_string();
    let code = format!("ART-{}", simple[..12].to_ascii_uppercase());
    let slug = format!("art-{simple}");
    let sql = format!(
        "INSERT INTO app.d_artifact
           (tenant_id, id, code, slug, name, descr, artifact_type, file_name, file_format, content_type,
            file_size_bytes, sha256, storage_key, upload_status, entity_type, entity_id, root_artifact_id,
            file_version, is_latest_version, metadata, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', $14, $15, $16, $17, $18, $19, $20, $20)
         RETURNING {ARTIFACT_COLUMNS}"
    );
    let row: ArtifactRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(new.tenant)
        .bind(new.id)
        .bind(&code)
        .bind(&slug)
        .bind(new.name)
        .bind(new.descr)
        .bind(new.artifact_type)
        .bind(new.file_name)
        .bind(new.file_format)
        .bind(new.content_type)
        .bind(new.size)
        .bind(new.sha256)
        .bind(new.storage_key)
        .bind(new.owner.0.as_str())
        .bind(new.owner.1)
        .bind(new.root)
        .bind(new.file_version)
        .bind(new.is_latest_version)
        .bind(&new.metadata)
        .bind(new.actor)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO app.d_entity_instance_id (tenant_id, entity_type, entity_id, name, code, slug)
         VALUES ($1, 'artifact', $2, $3, $4, $5)",
    )
    .bind(new.tenant)
    .bind(new.id)
    .bind(new.name)
    .bind(&code)
    .bind(&slug)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO app.d_entity_id_map
           (tenant_id, parent_entity_type, parent_entity_id, child_entity_type, child_entity_id, created_by)
         VALUES ($1, $2, $3, 'artifact', $4, $5)",
    )
    .bind(new.tenant)
    .bind(new.owner.0.as_str())
    .bind(new.owner.1)
    .bind(new.id)
    .bind(new.actor)
    .execute(&mut *conn)
    .await?;
    crate::auth::permissions::link_changed(
        conn,
        new.cache,
        new.tenant,
        new.owner.0,
        EntityType::Artifact,
        crate::auth::permissions::LinkedChild::New,
    )
    .await?;
    Ok(row)
}

/// An artifact of the tenant that has not been deleted.
pub async fn find_active<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    id: Uuid,
) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {ARTIFACT_COLUMNS} FROM app.d_artifact WHERE tenant_id = $1 AND id = $2 AND active_flag"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Whether a live instance of the owner exists in the tenant (the registry knows every instance).
pub async fn owner_exists<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    entity: EntityType,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM app.d_entity_instance_id
                        WHERE tenant_id = $1 AND entity_type = $2 AND entity_id = $3 AND active_flag)",
    )
    .bind(tenant)
    .bind(entity.as_str())
    .bind(id)
    .fetch_one(db)
    .await
}

/// Locks a file's chain (its root row): new versions and completions of one file run one at a time.
pub async fn lock_chain(
    conn: &mut PgConnection,
    tenant: &str,
    root: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM app.d_artifact WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
        .bind(tenant)
        .bind(root)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The next file version number of a chain (caller holds the chain lock).
pub async fn next_file_version(
    conn: &mut PgConnection,
    tenant: &str,
    root: Uuid,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("SELECT coalesce(max(file_version), 0) + 1 FROM app.d_artifact WHERE tenant_id = $1 AND root_artifact_id = $2")
        .bind(tenant)
        .bind(root)
        .fetch_one(&mut *conn)
        .await
}

/// Marks a pending upload available with its verified facts. None when it is no longer pending
/// (completed concurrently). Caller holds the chain lock.
pub async fn mark_available(
    conn: &mut PgConnection,
    tenant: &str,
    id: Uuid,
    size: i64,
    sha256: Option<&str>,
    actor: Uuid,
) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE app.d_artifact
         SET upload_status = 'available', uploaded_ts = now(), file_size_bytes = $3, sha256 = coalesce($4, sha256),
             metadata = metadata - 'upload', updated_ts = now(), updated_by = $5, version = version + 1
         WHERE tenant_id = $1 AND id = $2 AND upload_status = 'pending'
         RETURNING {ARTIFACT_COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .bind(size)
        .bind(sha256)
        .bind(actor)
        .fetch_optional(&mut *conn)
        .await
}

/// Makes `id` the latest version of its chain unless a newer available version already is. The
/// previous latest flips in the same statement order the unique index needs (off, then on).
/// Returns whether `id` became the latest.
pub async fn promote_to_latest(
    conn: &mut PgConnection,
    tenant: &str,
    root: Uuid,
    id: Uuid,
    file_version: i32,
) -> Result<bool, sqlx::Error> {
    let current: Option<(Uuid, i32, String)> = sqlx::query_as(
        "SELECT id, file_version, upload_status FROM app.d_artifact
         WHERE tenant_id = $1 AND root_artifact_id = $2 AND is_latest_version",
    )
    .bind(tenant)
    .bind(root)
    .fetch_optional(&mut *conn)
    .await?;
    match current {
        Some((current_id, _, _)) if current_id == id => return Ok(true),
        Some((_, current_version, status))
            if status == "available" && current_version > file_version =>
        {
            return Ok(false);
        }
        _ => {}
    }
    sqlx::query(
        "UPDATE app.d_artifact SET is_latest_version = false, updated_ts = now()
         WHERE tenant_id = $1 AND root_artifact_id = $2 AND is_latest_version",
    )
    .bind(tenant)
    .bind(root)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE app.d_artifact SET is_latest_version = true WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Marks a pending upload failed (its object has been or is being deleted).
pub async fn mark_failed<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    id: Uuid,
    actor: Uuid,
) -> Result<Option<ArtifactRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE app.d_artifact
         SET upload_status = 'failed', metadata = metadata - 'upload', updated_ts = now(), updated_by = $3, version = version + 1
         WHERE tenant_id = $1 AND id = $2 AND upload_status = 'pending'
         RETURNING {ARTIFACT_COLUMNS}"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(id)
        .bind(actor)
        .fetch_optional(db)
        .await
}

/// Every live version of a file, newest first.
pub async fn chain<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    root: Uuid,
) -> Result<Vec<Artifact>, sqlx::Error> {
    let sql = format!(
        "SELECT {ARTIFACT_COLUMNS} FROM app.d_artifact
         WHERE tenant_id = $1 AND root_artifact_id = $2 AND active_flag
         ORDER BY file_version DESC"
    );
    let rows: Vec<ArtifactRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(tenant)
        .bind(root)
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().map(|row| row.artifact).collect())
}

/// The upload state of the artifact stored under `key` (for the local backend's upload route).
pub async fn status_by_key<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    key: &str,
) -> Result<Option<(String, bool)>, sqlx::Error> {
    sqlx::query_as("SELECT upload_status, active_flag FROM app.d_artifact WHERE tenant_id = $1 AND storage_key = $2")
        .bind(tenant)
        .bind(key)
        .fetch_optional(db)
        .await
}

/// One row the retention job works on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PurgeCandidate {
    pub tenant_id: String,
    pub id: Uuid,
    pub storage_key: String,
    pub upload_status: String,
    pub multipart_upload_id: Option<String>,
    /// Other versions use this row as their root, so the row itself must stay.
    pub is_root_of_others: bool,
}

const CANDIDATE_COLUMNS: &str = "a.tenant_id, a.id, a.storage_key, a.upload_status,
    a.metadata #>> '{upload,multipart_upload_id}' AS multipart_upload_id,
    EXISTS (SELECT 1 FROM app.d_artifact v WHERE v.tenant_id = a.tenant_id AND v.root_artifact_id = a.id AND v.id <> a.id) AS is_root_of_others";

/// Uploads never confirmed (pending) or refused (failed) older than `older_than_secs`, across
/// tenants, after the keyset position. Failed roots that must stay as chain anchors are left out.
pub async fn abandoned_uploads<'e>(
    db: impl PgExecutor<'e>,
    older_than_secs: i64,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> Result<Vec<PurgeCandidate>, sqlx::Error> {
    let sql = format!(
        "SELECT {CANDIDATE_COLUMNS} FROM app.d_artifact a
         WHERE a.upload_status IN ('pending', 'failed') AND a.active_flag
           AND a.created_ts < now() - make_interval(secs => $1::float8)
           AND (a.tenant_id, a.id) > ($2, $3)
           AND NOT (a.upload_status = 'failed' AND EXISTS (
               SELECT 1 FROM app.d_artifact v WHERE v.tenant_id = a.tenant_id AND v.root_artifact_id = a.id AND v.id <> a.id))
         ORDER BY a.tenant_id, a.id
         LIMIT $4"
    );
    let (tenant, id) = after.unwrap_or(("", Uuid::nil()));
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(older_than_secs)
        .bind(tenant)
        .bind(id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// Deleted artifacts whose retention has passed and whose object has not been purged yet.
pub async fn expired_deletions<'e>(
    db: impl PgExecutor<'e>,
    older_than_secs: i64,
    after: Option<(&str, Uuid)>,
    limit: i64,
) -> Result<Vec<PurgeCandidate>, sqlx::Error> {
    let sql = format!(
        "SELECT {CANDIDATE_COLUMNS} FROM app.d_artifact a
         WHERE NOT a.active_flag
           AND coalesce(a.to_ts, a.updated_ts) < now() - make_interval(secs => $1::float8)
           AND NOT (a.metadata ? 'storage_purged_ts')
           AND (a.tenant_id, a.id) > ($2, $3)
         ORDER BY a.tenant_id, a.id
         LIMIT $4"
    );
    let (tenant, id) = after.unwrap_or(("", Uuid::nil()));
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(older_than_secs)
        .bind(tenant)
        .bind(id)
        .bind(limit)
        .fetch_all(db)
        .await
}

/// Removes an abandoned upload's rows: grants on it, links to and from it, its registry entry and
/// the artifact row itself. Returns false when the row is gone or changed state meanwhile.
pub async fn remove_abandoned(
    conn: &mut PgConnection,
    tenant: &str,
    id: Uuid,
) -> Result<bool, sqlx::Error> {
    let still_abandoned: Option<bool> = sqlx::query_scalar(
        "SELECT true FROM app.d_artifact WHERE tenant_id = $1 AND id = $2 AND upload_status IN ('pending', 'failed') FOR UPDATE",
    )
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if still_abandoned.is_none() {
        return Ok(false);
    }
    sqlx::query("DELETE FROM app.d_entity_id_rbac_map WHERE tenant_id = $1 AND entity_type = 'artifact' AND entity_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM app.d_entity_id_map WHERE tenant_id = $1
           AND ((child_entity_type = 'artifact' AND child_entity_id = $2) OR (parent_entity_type = 'artifact' AND parent_entity_id = $2))",
    )
    .bind(tenant)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    crate::auth::permissions::access_changed(conn, None, tenant).await?;
    sqlx::query("DELETE FROM app.d_entity_instance_id WHERE tenant_id = $1 AND entity_type = 'artifact' AND entity_id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM app.d_artifact WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// A row whose object is gone but which must stay (a chain's root, or a deleted record kept for
/// history): mark it failed and note when its bytes were purged.
pub async fn mark_object_purged<'e>(
    db: impl PgExecutor<'e>,
    tenant: &str,
    id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE app.d_artifact
         SET upload_status = 'failed',
             metadata = (metadata - 'upload') || jsonb_build_object('storage_purged_ts', now()),
             updated_ts = now()
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}
