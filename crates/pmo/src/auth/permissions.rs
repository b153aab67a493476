//! Permissions: the one module that decides what a caller may do. Every route asks here.
//!
//! Levels (the seed's): 0 View, 1 Edit, 2 Share, 3 Delete, 4 Create. A grant gives a set of levels
//! on an entity type, either on all instances (`entity_id` NULL) or on one instance; any level
//! implies View. Grants go to an employee or to a role the employee holds (role→employee links);
//! they may expire; an instance grant with `cascade_flag` also reaches the instance's descendants
//! through links. Effective permission is the union of every active grant. Tenant administrators
//! hold everything.
//!
//! Cascades follow containment links only: a link whose child is an employee (a task's assignee, a
//! role's member, an office's staff) is a reference, so a grant on a project never reaches the
//! people assigned to its tasks.
//!
//! Lists never check rows one by one: `push_visibility_filter` adds the caller's visible set to the
//! page's own SQL, so pagination and counts are right and cost follows the page.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::cache::{self, CacheKey, Invalidation};
use crate::entity::EntityType;
use crate::error::ApiError;

/// How deep cascades and ancestor walks go. Real hierarchies are a few levels deep; the cap keeps
/// a cycle in the link graph from running away.
const MAX_LINK_DEPTH: i32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    View = 0,
    Edit = 1,
    Share = 2,
    Delete = 3,
    Create = 4,
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::View,
        Level::Edit,
        Level::Share,
        Level::Delete,
        Level::Create,
    ];

    pub fn from_number(value: i64) -> Option<Level> {
        Level::ALL.into_iter().find(|level| *level as i64 == value)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::View => "view",
            Level::Edit => "edit",
            Level::Share => "share",
            Level::Delete => "delete",
            Level::Create => "create",
        }
    }
}

/// A set of levels as a bitmask (bit n = level n). Any non-empty set implies View.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Levels(u8);

impl Levels {
    pub const NONE: Levels = Levels(0);
    pub const ALL: Levels = Levels(0b1_1111);

    /// From the database's bit_or of `1 << level` (NULL: nothing).
    pub fn from_mask(mask: Option<i32>) -> Levels {
        let levels = Levels(u8::try_from(mask.unwrap_or(0) & 0b1_1111).unwrap_or(0));
        if levels.0 == 0 {
            levels
        } else {
            Levels(levels.0 | 1)
        }
    }

    pub fn from_levels(levels: &[Level]) -> Levels {
        let mask = levels
            .iter()
            .fold(0u8, |mask, level| mask | (1 << *level as u8));
        if mask == 0 {
            Levels(0)
        } else {
            Levels(mask | 1)
        }
    }

    pub fn contains(self, level: Level) -> bool {
        self.0 & (1 << level as u8) != 0
    }

    pub fn contains_all(self, other: Levels) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn to_vec(self) -> Vec<Level> {
        Level::ALL
            .into_iter()
            .filter(|level| self.contains(*level))
            .collect()
    }

    /// The stored form: `smallint[]` of level numbers.
    pub fn to_numbers(self) -> Vec<i16> {
        self.to_vec()
            .into_iter()
            .map(|level| level as i16)
            .collect()
    }
}

impl fmt::Display for Levels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.to_vec().into_iter().map(Level::as_str).collect();
        write!(f, "{}", names.join(","))
    }
}

/// A grant row (alias `g`) in force: not revoked, not expired.
const GRANT_IN_FORCE: &str = "g.active_flag AND (g.expires_ts IS NULL OR g.expires_ts > now())";

/// The caller's roles and active grants, as CTEs `pmo_roles` and `pmo_grants` (entity_type,
/// entity_id, cascade_flag, permission, via_role, expires_ts), starting a `WITH RECURSIVE` clause.
fn push_grant_ctes(qb: &mut QueryBuilder<Postgres>, user: &CurrentUser) {
    qb.push("WITH RECURSIVE pmo_roles AS (SELECT m.parent_entity_id AS role_id FROM app.d_entity_id_map m WHERE m.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND m.parent_entity_type = 'role' AND m.child_entity_type = 'employee' AND m.child_entity_id = ")
        .push_bind(user.employee_id)
        // Two index ranges (the employee's grants, then each role's) rather than one OR over
        // both: the OR read every role grant of the tenant and filtered (2.6 ms → 0.5 ms at 1M).
        .push(" AND m.active_flag), pmo_grants AS (SELECT g.entity_type, g.entity_id, g.cascade_flag, g.permission, NULL::uuid AS via_role, g.expires_ts FROM app.d_entity_id_rbac_map g WHERE g.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND g.grantee_type = 'employee' AND g.grantee_id = ")
        .push_bind(user.employee_id)
        .push(format!(" AND {GRANT_IN_FORCE} UNION ALL SELECT g.entity_type, g.entity_id, g.cascade_flag, g.permission, g.grantee_id, g.expires_ts FROM pmo_roles r JOIN app.d_entity_id_rbac_map g ON g.tenant_id = "))
        .push_bind(user.tenant_id.clone())
        .push(format!(" AND g.grantee_type = 'role' AND g.grantee_id = r.role_id WHERE {GRANT_IN_FORCE})"));
}

/// One active grant of the caller: their own, or one of a role they hold (`via_role`).
#[derive(Debug, Clone)]
struct Grant {
    entity_type: EntityType,
    /// `None`: every instance of the type.
    entity_id: Option<Uuid>,
    cascade: bool,
    levels: Levels,
    via_role: Option<Uuid>,
    expires_ts: Option<DateTime<Utc>>,
}

/// The caller's grants, read once and then kept per instance (`cache::PERMISSIONS`) until a grant
/// of the tenant or a role's membership changes. Expiry is checked when they are used, so a cached
/// set never outlives a grant.
#[derive(Debug)]
struct GrantSet(Vec<Grant>);

impl GrantSet {
    fn active(&self) -> impl Iterator<Item = &Grant> {
        let now = Utc::now();
        self.0
            .iter()
            .filter(move |grant| grant.expires_ts.is_none_or(|expires| expires > now))
    }

    /// Levels on every instance of a type (`all` grants).
    fn levels_on_type(&self, entity: EntityType) -> Levels {
        self.active()
            .filter(|grant| grant.entity_id.is_none() && grant.entity_type == entity)
            .fold(Levels::NONE, |held, grant| Levels(held.0 | grant.levels.0))
    }

    /// Whether answers computed from these grants stay true while cached: no grant expires within
    /// an entry's lifetime. (A grant about to expire makes its holder's answers uncached until then.)
    fn answers_keep(&self) -> bool {
        let horizon = Utc::now()
            + chrono::Duration::from_std(cache::DEFAULT_TTL).unwrap_or(chrono::Duration::MAX);
        self.0
            .iter()
            .all(|grant| grant.expires_ts.is_none_or(|expires| expires > horizon))
    }
}

/// The type, instance, levels, cascade flag, role and expiry of one grant as read.
type GrantRow = (
    String,
    Option<Uuid>,
    Vec<i16>,
    bool,
    Option<Uuid>,
    Option<DateTime<Utc>>,
);

/// `perm/<tenant>/<item>@<employee>`: the item first, so that one kind of answer (`visible:task`)
/// of every caller shares a prefix, which a link write invalidates (`link_changed`).
fn permission_key(user: &CurrentUser, item: impl fmt::Display) -> CacheKey {
    CacheKey::new(
        cache::PERMISSIONS,
        Some(&user.tenant_id),
        format!("{item}@{}", user.employee_id),
    )
}

/// The key prefixes (items) of every caller's visible set of `entity`, and of their levels on
/// instances of it.
fn visible_item(entity: EntityType) -> String {
    format!("visible:{entity}@")
}

fn levels_item(entity: EntityType) -> String {
    format!("levels:{entity}:")
}

/// The caller's active grants (their own and their roles'), from this instance's cache when it
/// has them.
async fn grant_set<'e>(
    db: impl PgExecutor<'e>,
    user: &CurrentUser,
) -> Result<Arc<GrantSet>, sqlx::Error> {
    let read = || async {
        let mut qb = QueryBuilder::new("");
        push_grant_ctes(&mut qb, user);
        qb.push(
            " SELECT entity_type::text, entity_id, permission, cascade_flag, via_role, expires_ts FROM pmo_grants",
        );
        let rows: Vec<GrantRow> = qb.build_query_as().fetch_all(db).await?;
        let grants = rows
            .into_iter()
            .filter_map(
                |(entity_type, entity_id, permission, cascade, via_role, expires_ts)| {
                    let levels: Vec<Level> = permission
                        .iter()
                        .filter_map(|l| Level::from_number(i64::from(*l)))
                        .collect();
                    Some(Grant {
                        entity_type: entity_type.parse().ok()?,
                        entity_id,
                        cascade,
                        levels: Levels::from_levels(&levels),
                        via_role,
                        expires_ts,
                    })
                },
            )
            .collect();
        Ok(GrantSet(grants))
    };
    match &user.cache {
        Some(cache) => {
            let weigh = |set: &GrantSet| 64 + set.0.len() * std::mem::size_of::<Grant>();
            cache
                .load_local(&permission_key(user, "grants"), weigh, read)
                .await
        }
        None => Ok(Arc::new(read().await?)),
    }
}

/// An answer derived from the caller's grants (and the tenant's links), kept with them when they
/// are cacheable (`GrantSet::answers_keep`), computed afresh otherwise. `describe` gives the
/// cached value's weight and mark (`Cache::load_local_marked`).
async fn derived<T, F, Fut>(
    user: &CurrentUser,
    grants: &GrantSet,
    item: String,
    describe: impl FnOnce(&T) -> (usize, Option<&'static str>),
    compute: F,
) -> Result<Arc<T>, sqlx::Error>
where
    T: Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    match &user.cache {
        Some(cache) if grants.answers_keep() => {
            cache
                .load_local_marked(&permission_key(user, item), describe, compute)
                .await
        }
        _ => Ok(Arc::new(compute().await?)),
    }
}

/// The mark of a cached `Visibility::Dense` answer: a child created under a parent its rows
/// mirror leaves such answers true (`link_changed`).
const DENSE_VISIBILITY: &str = "dense";

/// Call in the transaction of every write that changes who may see what in `tenant` other than
/// one link (`link_changed`): a grant, or several links at once. Every instance forgets the
/// tenant's cached permission answers — this one at once, the others when the transaction commits.
pub async fn access_changed(
    conn: &mut sqlx::PgConnection,
    cache: Option<&cache::Cache>,
    tenant: &str,
) -> Result<(), sqlx::Error> {
    let what = Invalidation::namespace(cache::PERMISSIONS, Some(tenant));
    cache::invalidate_with(cache, conn, what).await
}

/// Whether the child of a link written now existed before the writing transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkedChild {
    /// Created in the same transaction, under this parent.
    New,
    Existing,
}

/// Call in the transaction of every write that creates, restores or removes one parent → child
/// link. Every instance forgets the answers the link can change, and only those (a tenant where
/// people create tasks all day would otherwise recompute every caller's visible sets after each
/// one; docs/BENCHMARKS.md):
/// - a role's member: the member's grants, so every answer of the tenant (`access_changed`);
/// - another link changes what cascades reach at the child and below it, and the ancestors of
///   those instances: every caller's visible sets of the types that can sit there
///   (`EntityType::contained_types`) and their levels on instances of those types. Answers about
///   other types do not depend on the link: a cascade reaches them without passing the child.
/// - a child created in the same transaction has nothing below it and no answers about it yet:
///   only the visible sets of its type, and of the types that mirror it as their parent (a new
///   project is one of the reached parents a task page's `VisibleParts` reads). When the child's
///   row mirrors this parent (a task's project), a dense caller's set of its type stays true: it
///   names the reached parents, whose children pages and filters read through that column, and a
///   new child there is named nowhere else. Only id lists (`Visibility::Ids`) go.
pub async fn link_changed(
    conn: &mut sqlx::PgConnection,
    cache: Option<&cache::Cache>,
    tenant: &str,
    parent: EntityType,
    child: EntityType,
    linked: LinkedChild,
) -> Result<(), sqlx::Error> {
    if parent == EntityType::Role && child == EntityType::Employee {
        return access_changed(conn, cache, tenant).await;
    }
    let invalidate = |items: Vec<String>, sparing: Option<&str>| {
        Invalidation::items(cache::PERMISSIONS, tenant, items, sparing)
    };
    match linked {
        LinkedChild::New => {
            let mirrored = child.registry().link_mirror(parent).is_some();
            let own = invalidate(
                vec![visible_item(child)],
                mirrored.then_some(DENSE_VISIBILITY),
            );
            cache::invalidate_with(cache, &mut *conn, own).await?;
            let mirroring: Vec<String> = EntityType::ALL
                .into_iter()
                .filter(|entity| mirrored_parents(*entity).any(|(_, mirrored)| mirrored == child))
                .map(visible_item)
                .collect();
            if !mirroring.is_empty() {
                cache::invalidate_with(cache, &mut *conn, invalidate(mirroring, None)).await?;
            }
            Ok(())
        }
        LinkedChild::Existing => {
            let items = child
                .contained_types()
                .into_iter()
                .flat_map(|entity| [visible_item(entity), levels_item(entity)])
                .collect();
            cache::invalidate_with(cache, conn, invalidate(items, None)).await
        }
    }
}

/// Effective levels of the caller on one instance (which need not exist: the caller's handler
/// answers 404 for a missing row, exactly as for an invisible one).
pub async fn levels_on_instance(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
) -> Result<Levels, ApiError> {
    if user.tenant_admin {
        return Ok(Levels::ALL);
    }
    Ok(instance_levels(db, user, entity, id).await?.total)
}

/// Whether the caller may view one instance, read on a connection the caller already holds (a
/// write's transaction): the same grants, cascades and `all` grants as `levels_on_instance`, one
/// query walking up from the instance, uncached. The pool functions would wait for a second
/// connection while this one is held, which deadlocks a busy pool.
pub async fn views_instance_on(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
) -> Result<bool, ApiError> {
    if user.tenant_admin {
        return Ok(true);
    }
    Ok(!read_instance_levels(conn, user, entity, id)
        .await?
        .total
        .is_empty())
}

/// Levels on one instance, and the part of them that comes from cascading grants (what a caller
/// may pass on as a cascade).
#[derive(Debug, Clone, Copy)]
struct InstanceLevels {
    total: Levels,
    cascading: Levels,
}

async fn instance_levels(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
) -> Result<InstanceLevels, sqlx::Error> {
    let grants = grant_set(db, user).await?;
    let levels = derived(
        user,
        &grants,
        format!("{}{id}", levels_item(entity)),
        |_| (16, None),
        || read_instance_levels(db, user, entity, id),
    )
    .await?;
    Ok(*levels)
}

async fn read_instance_levels<'e>(
    db: impl PgExecutor<'e>,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
) -> Result<InstanceLevels, sqlx::Error> {
    let mut qb = QueryBuilder::new("");
    push_grant_ctes(&mut qb, user);
    // Walk up from the instance: a cascading grant on any ancestor (or the instance) reaches it.
    qb.push(", pmo_ancestors (entity_type, entity_id, depth) AS (SELECT ")
        .push_bind(entity.as_str())
        .push("::app.entity_type, ")
        .push_bind(id)
        .push("::uuid, 0 UNION SELECT m.parent_entity_type, m.parent_entity_id, a.depth + 1 FROM pmo_ancestors a JOIN app.d_entity_id_map m ON m.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND m.child_entity_type = a.entity_type AND m.child_entity_id = a.entity_id AND m.active_flag WHERE a.entity_type <> 'employee' AND a.depth < ")
        .push_bind(MAX_LINK_DEPTH)
        .push(
            "), pmo_matching AS (
                SELECT g.permission, g.cascade_flag FROM pmo_grants g
                WHERE g.entity_type = ",
        )
        .push_bind(entity.as_str())
        .push(" AND (g.entity_id IS NULL OR g.entity_id = ")
        .push_bind(id)
        .push(
            ")
                UNION ALL
                SELECT g.permission, true FROM pmo_grants g
                JOIN pmo_ancestors a ON g.cascade_flag AND g.entity_type = a.entity_type AND g.entity_id = a.entity_id
            )
            SELECT (SELECT bit_or(1 << l) FROM pmo_matching, unnest(permission) l)::int,
                   (SELECT bit_or(1 << l) FROM pmo_matching, unnest(permission) l WHERE cascade_flag)::int",
        );
    let (total, cascading): (Option<i32>, Option<i32>) = qb.build_query_as().fetch_one(db).await?;
    Ok(InstanceLevels {
        total: Levels::from_mask(total),
        cascading: Levels::from_mask(cascading),
    })
}

/// Whether the caller holds Share on anything (on a type or on one instance): what lets them pass
/// levels on, and so name who receives them.
pub async fn holds_share_anywhere(db: &sqlx::PgPool, user: &CurrentUser) -> Result<bool, ApiError> {
    if user.tenant_admin {
        return Ok(true);
    }
    let grants = grant_set(db, user).await?;
    let shares = grants
        .active()
        .any(|grant| grant.levels.contains(Level::Share));
    Ok(shares)
}

/// Whether a cascading grant with View reaches this instance — then it also reaches every record
/// linked under it (except employees), and lists of those children need no filter.
pub async fn cascades_through(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
) -> Result<bool, ApiError> {
    if user.tenant_admin {
        return Ok(true);
    }
    Ok(instance_levels(db, user, entity, id)
        .await?
        .cascading
        .contains(Level::View))
}

/// Levels the caller holds on every instance of a type (from `all` grants).
pub async fn levels_on_type<'e>(
    db: impl PgExecutor<'e>,
    user: &CurrentUser,
    entity: EntityType,
) -> Result<Levels, ApiError> {
    if user.tenant_admin {
        return Ok(Levels::ALL);
    }
    Ok(grant_set(db, user).await?.levels_on_type(entity))
}

/// Refuses unless the caller holds `level` on the instance: 404 when they cannot even see it (so
/// its existence is not revealed), 403 when they can see it but lack the level.
pub async fn require_instance_level(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    id: Uuid,
    level: Level,
) -> Result<Levels, ApiError> {
    let levels = levels_on_instance(db, user, entity, id).await?;
    if levels.is_empty() {
        return Err(ApiError::not_found(entity.as_str()));
    }
    if !levels.contains(level) {
        return Err(ApiError::forbidden(format!(
            "you may not {} this {}",
            level.as_str(),
            entity.as_str()
        )));
    }
    Ok(levels)
}

/// Refuses unless the caller holds `level` on every instance of the type (an `all` grant).
pub async fn require_type_level<'e>(
    db: impl PgExecutor<'e>,
    user: &CurrentUser,
    entity: EntityType,
    level: Level,
) -> Result<(), ApiError> {
    let levels = levels_on_type(db, user, entity).await?;
    if levels.contains(level) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "you may not {} {} records",
            level.as_str(),
            entity.as_str()
        )))
    }
}

/// Creating a record needs Create on its type; creating it under a parent also needs Edit on the
/// parent. A cascading grant with Create that reaches the parent also allows creating under it
/// (the new child falls inside that grant's reach).
pub async fn require_create(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    parent: Option<(EntityType, Uuid)>,
) -> Result<(), ApiError> {
    if user.tenant_admin {
        return Ok(());
    }
    let on_type = levels_on_type(db, user, entity).await?;
    match parent {
        None => {
            if on_type.contains(Level::Create) {
                Ok(())
            } else {
                Err(ApiError::forbidden(format!(
                    "you may not create {} records",
                    entity.as_str()
                )))
            }
        }
        Some((parent_type, parent_id)) => {
            let on_parent = instance_levels(db, user, parent_type, parent_id).await?;
            if on_parent.total.is_empty() {
                return Err(ApiError::not_found(parent_type.as_str()));
            }
            if !on_parent.total.contains(Level::Edit) {
                return Err(ApiError::forbidden(format!(
                    "you may not add to this {}",
                    parent_type.as_str()
                )));
            }
            if on_type.contains(Level::Create) || on_parent.cascading.contains(Level::Create) {
                Ok(())
            } else {
                Err(ApiError::forbidden(format!(
                    "you may not create {} records",
                    entity.as_str()
                )))
            }
        }
    }
}

/// Whether the caller may grant (or revoke) `levels` on the target: Share on it, and every level
/// passed on held by the grantor; a cascading grant only from a grantor whose own levels there
/// cascade; an `all` grant only from an `all` grant.
pub async fn require_can_grant(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
    entity_id: Option<Uuid>,
    levels: Levels,
    cascade: bool,
) -> Result<(), ApiError> {
    if user.tenant_admin {
        return Ok(());
    }
    let needed = Levels::from_levels(&[Level::Share]);
    let held = match entity_id {
        None => levels_on_type(db, user, entity).await?,
        Some(id) => {
            let on_instance = instance_levels(db, user, entity, id).await?;
            if on_instance.total.is_empty() {
                return Err(ApiError::not_found(entity.as_str()));
            }
            if cascade {
                on_instance.cascading
            } else {
                on_instance.total
            }
        }
    };
    if !held.contains_all(needed) {
        return Err(ApiError::forbidden(format!(
            "sharing this {} needs the Share level",
            entity.as_str()
        )));
    }
    if !held.contains_all(levels) {
        return Err(ApiError::forbidden(format!(
            "you can only pass on levels you hold ({held})"
        )));
    }
    Ok(())
}

/// Up to this many visible rows, a list fetches them by id ("grant-first"); beyond it, it scans
/// in its sort order and keeps visible rows. Fetching costs one index probe per visible row;
/// scanning costs about `page × rows in the table ÷ visible rows` rows, so the two meet near
/// √(page × table): ~7,000 for a 50-row page over a million rows (docs/BENCHMARKS.md).
pub const SPARSE_VISIBILITY_LIMIT: usize = 5_000;

/// How a list of one type is restricted to what the caller may view, decided once per request
/// (SPEC §9: choose the query shape by how sparse the caller's visibility is).
#[derive(Debug, Clone)]
pub enum Visibility {
    /// Admins and `all` grants: no filter.
    Everything,
    /// Few visible rows: exactly these ids.
    Ids(Vec<Uuid>),
    /// Many visible rows: keep a row when its id, or the parent it mirrors, is in the caller's
    /// reach (hashed once per query, checked per row in the list's own order). With the reach
    /// split into its parts when both are small, for the shapes that read per parent.
    Dense(Option<Arc<VisibleParts>>),
}

/// Beyond this many named ids, or this many reached parents, a dense set is not split into
/// `VisibleParts`: a page reads one index range per parent and one probe per id, which beats the
/// scan only while both stay small (64 × 51 + 1,000 probes at worst, against ~3,000 rows scanned).
const PARTS_MAX_IDS: usize = 1_000;
const PARTS_MAX_PARENTS: usize = 64;

/// A dense visible set of a type that mirrors one parent on its rows (a task's project), in its
/// two parts: the instances grants name or non-mirrored links reach (`ids`), and the parents the
/// caller's cascades reach (`parents`). The visible rows are exactly `ids` ∪ the rows whose
/// `parent_column` is one of `parents`. A few hundred ids and a few projects can hide behind
/// 13,000 visible tasks: a page then reads one short index range per project
/// (`push_parts_source`) instead of scanning the table for visible rows (docs/BENCHMARKS.md).
///
/// Filters that test a row against the set use `ids` (`push_instance_filter`). A page in a sort of
/// `PARTS_SORTS` reads the named ids in two other parts instead: each of `grantees`' grants on the
/// type walked in that order, and `reached_ids`, the instances only links reach.
#[derive(Debug)]
pub struct VisibleParts {
    pub ids: Vec<Uuid>,
    pub parent_column: &'static str,
    pub parents: Vec<Uuid>,
    /// The grantees (`employee` the caller, or a `role` they hold) with instance grants on the type.
    pub grantees: Vec<(&'static str, Uuid)>,
    /// The instances that links from a cascading grant's target reach (a task linked under a
    /// granted office), beyond the grants themselves.
    pub reached_ids: Vec<Uuid>,
}

/// The sorts a dense caller's page reads by parts (`push_parts_source`), with the column of
/// `d_entity_id_rbac_map` that holds the instance grants' copy of the key (kept by triggers;
/// migrations 0058 and 0060). Each needs both halves of the walk: an index on (tenant, mirrored
/// parent, active, key, id) for the per-parent branches — `d_task_project_ix` (… updated_ts DESC,
/// id DESC; migration 0051) and `d_task_project_name_ix` (… lower(name), id; migration 0054) — and
/// the grants' copy, which `d_entity_id_rbac_map_grantee_order_ix` holds newest task first and
/// `_grantee_name_ix` by name (migration 0062). Every key here is NOT NULL, so the merged order
/// needs no NULLS placement.
const PARTS_SORTS: &[(EntityType, &str, &str)] = &[
    (EntityType::Task, "updated_ts", "target_updated_ts"),
    (EntityType::Task, "name", "target_name_lower"),
];

/// Decides the `Visibility` of `entity` for the caller: one query, which stops after
/// `SPARSE_VISIBILITY_LIMIT + 1` ids.
pub async fn list_visibility(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    entity: EntityType,
) -> Result<Visibility, ApiError> {
    if user.tenant_admin {
        return Ok(Visibility::Everything);
    }
    let grants = grant_set(db, user).await?;
    visibility_under(db, user, &grants, entity).await
}

/// `list_visibility` with the caller's grants already read (callers deciding several types).
async fn visibility_under(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    grants: &GrantSet,
    entity: EntityType,
) -> Result<Visibility, ApiError> {
    if grants.levels_on_type(entity).contains(Level::View) {
        return Ok(Visibility::Everything);
    }
    let describe = |visibility: &Visibility| match visibility {
        Visibility::Ids(ids) => (32 + ids.len() * std::mem::size_of::<Uuid>(), None),
        Visibility::Dense(Some(parts)) => {
            let ids = parts.ids.len() + parts.parents.len() + parts.reached_ids.len();
            let weight = 64
                + ids * std::mem::size_of::<Uuid>()
                + parts.grantees.len() * std::mem::size_of::<(&str, Uuid)>();
            (weight, Some(DENSE_VISIBILITY))
        }
        Visibility::Dense(None) => (32, Some(DENSE_VISIBILITY)),
        Visibility::Everything => (32, None),
    };
    let visibility = derived(user, grants, visible_item(entity), describe, || async {
        // The stream may repeat an id (a task granted and under a granted project): its length,
        // not its distinct count, says whether it was cut, and a cut set is never complete.
        let mut qb = QueryBuilder::new("SELECT id FROM (");
        push_visible_ids(&mut qb, user, entity);
        qb.push(" LIMIT ")
            .push_bind(SPARSE_VISIBILITY_LIMIT as i64 + 1)
            .push(") visible (id)");
        let mut ids: Vec<Uuid> = qb.build_query_scalar().fetch_all(db).await?;
        Ok(if ids.len() > SPARSE_VISIBILITY_LIMIT {
            Visibility::Dense(visible_parts(db, user, grants, entity).await?.map(Arc::new))
        } else {
            ids.sort_unstable();
            ids.dedup();
            Visibility::Ids(ids)
        })
    })
    .await?;
    Ok(Visibility::clone(&visibility))
}

/// The `VisibleParts` of a dense `entity`, or None when the type does not mirror exactly one
/// parent or a part is too large. Two queries, each stopping one row past its bound (a stream
/// with repeats stops early, which only ever answers None).
async fn visible_parts(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    grants: &GrantSet,
    entity: EntityType,
) -> Result<Option<VisibleParts>, sqlx::Error> {
    let mut mirrors = mirrored_parents(entity);
    let (Some((parent_column, parent)), None) = (mirrors.next(), mirrors.next()) else {
        return Ok(None);
    };
    let mut qb = QueryBuilder::new("SELECT id FROM (");
    push_linked_visible_ids(&mut qb, user, entity);
    qb.push(" LIMIT ")
        .push_bind(PARTS_MAX_IDS as i64 + 1)
        .push(") linked (id)");
    let mut ids: Vec<Uuid> = qb.build_query_scalar().fetch_all(db).await?;
    if ids.len() > PARTS_MAX_IDS {
        return Ok(None);
    }
    // The parents the caller's cascades reach, and the instances of `entity` they reach past
    // depth 0 (the cascading grants' own targets are grants, which a page walks with the rest): one
    // query, cut one row past both bounds together, so a cut stream has a part over its bound.
    let mut qb = QueryBuilder::new("SELECT is_parent, id FROM (");
    push_grant_ctes(&mut qb, user);
    push_reach_cte(&mut qb, user, entity);
    qb.push(" SELECT entity_type = ")
        .push_bind(parent.as_str())
        .push(", entity_id FROM pmo_reach WHERE entity_type = ")
        .push_bind(parent.as_str())
        .push(" OR (depth > 0 AND entity_type = ")
        .push_bind(entity.as_str())
        .push(") LIMIT ")
        .push_bind((PARTS_MAX_PARENTS + PARTS_MAX_IDS) as i64 + 2)
        .push(") reached (is_parent, id)");
    let reached: Vec<(bool, Uuid)> = qb.build_query_as().fetch_all(db).await?;
    let (parents, reached_ids): (Vec<_>, Vec<_>) =
        reached.into_iter().partition(|(is_parent, _)| *is_parent);
    if parents.len() > PARTS_MAX_PARENTS || reached_ids.len() > PARTS_MAX_IDS {
        return Ok(None);
    }
    let mut parents: Vec<Uuid> = parents.into_iter().map(|(_, id)| id).collect();
    let mut reached_ids: Vec<Uuid> = reached_ids.into_iter().map(|(_, id)| id).collect();
    for set in [&mut ids, &mut parents, &mut reached_ids] {
        set.sort_unstable();
        set.dedup();
    }
    // The grantees of such grants as read (the walk checks their expiry again as it reads them).
    let mut grantees: Vec<(&'static str, Uuid)> = grants
        .0
        .iter()
        .filter(|grant| grant.entity_type == entity && grant.entity_id.is_some())
        .map(|grant| match grant.via_role {
            Some(role) => ("role", role),
            None => ("employee", user.employee_id),
        })
        .collect();
    grantees.sort_unstable();
    grantees.dedup();
    Ok(Some(VisibleParts {
        ids,
        parent_column,
        parents,
        grantees,
        reached_ids,
    }))
}

/// The order of a page read by `push_parts_source`: the sort key (an expression over alias `t`:
/// `t.updated_ts`, `lower(t.name)`; ties broken by `t.id`), its direction, and the grants' copy
/// of the key. Only `PartsOrder::of` makes one, for a sort in `PARTS_SORTS`.
#[derive(Debug, Clone, Copy)]
pub struct PartsOrder<'a> {
    key: &'a str,
    descending: bool,
    grant_copy: &'static str,
}

impl<'a> PartsOrder<'a> {
    /// The order of `entity` by `column` (whose key expression is `key`), when a dense caller's
    /// page can be read by parts in it.
    pub fn of(entity: EntityType, column: &str, key: &'a str, descending: bool) -> Option<Self> {
        PARTS_SORTS
            .iter()
            .find(|(sorted, sort, _)| *sorted == entity && *sort == column)
            .map(|(_, _, grant_copy)| PartsOrder {
                key,
                descending,
                grant_copy,
            })
    }
}

/// Which rows a branch of `push_parts_source` reads, for its `conditions`: the table alone
/// (alias `t`), or the caller's grants (alias `g`) joined to it. A grant carries copies of the
/// task's keys — `g.{sort_copy}` of the page's sort key, `g.target_name_lower` and
/// `g.target_code_lower` — which a condition may also test, so that the walk drops a grant from
/// the index alone, before it opens the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartsBranch {
    Table,
    Grants { sort_copy: &'static str },
}

/// Most reached parents a page reads as branches of their own (`push_parts_source`); beyond it, one
/// branch joins them laterally. Each branch costs planning (~0.1 ms in a custom plan).
const PARENT_BRANCHES_MAX: usize = 8;

/// `(…)`: the rows of `entity` (every column, for the caller to alias) visible under `parts` and
/// first in `order`, at most `limit` of them. Two phases:
///
/// 1. The page's ids with their sort keys (`order.key`), as a union of branches that each deliver
///    their rows already in the page's order, cut to the first `limit`:
///    - the link-reached ids, probed one by one through the table's hash index on `id`
///      (`d_task`, migration 0057), two pages a probe instead of the four of a B-tree descent;
///    - one branch per reached parent: `conditions` (which pushes `WHERE …` over alias `t`) plus
///      the parent, which an index on (tenant, parent column, order) reads as one short range
///      (index-only when it holds the key). Above `PARENT_BRANCHES_MAX` parents, one branch walks
///      them laterally instead;
///    - one branch per grantee: their grants on the type walked in the page's order through the
///      grants' copy of the key (newest first from the index; by name, the name copies sorted in
///      memory), each task probed until `limit` pass the conditions.
///
///    Because every branch is in order and yields the key itself (a grant its copy, equal to the
///    task's key by the copy triggers' invariant), PostgreSQL merges them (Merge Append) and stops
///    once `limit` distinct rows came out: the benchmark's "my tasks" reads 51 candidates instead
///    of sorting 293 (docs/BENCHMARKS.md). A row two branches hold (a task granted and under a
///    granted project) comes out once.
/// 2. Those ids' rows, probed again by id in the caller's tenant.
///
/// The order does not survive the caller's own select: it orders again.
pub fn push_parts_source(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    entity: EntityType,
    parts: &VisibleParts,
    conditions: impl Fn(&mut QueryBuilder<Postgres>, PartsBranch),
    order: PartsOrder,
    limit: i64,
) {
    let table = entity.registry().table;
    let parent = parts.parent_column;
    let PartsOrder {
        key,
        descending,
        grant_copy,
    } = order;
    let dir = if descending { "DESC" } else { "ASC" };
    // Every key of `PARTS_SORTS` is NOT NULL: PostgreSQL's default NULLS placement, the index's.
    let clause = format!(" ORDER BY {key} {dir}, t.id {dir}");
    qb.push(format!(
        "(SELECT t.* FROM (SELECT DISTINCT id, k FROM (SELECT t.id, {key} FROM unnest("
    ))
    .push_bind(parts.reached_ids.clone())
    .push(format!("::uuid[]) g (id) JOIN {table} t ON t.id = g.id"));
    conditions(qb, PartsBranch::Table);
    if parts.parents.len() <= PARENT_BRANCHES_MAX {
        for parent_id in &parts.parents {
            qb.push(format!(" UNION ALL (SELECT t.id, {key} FROM {table} t"));
            conditions(qb, PartsBranch::Table);
            qb.push(format!(" AND t.{parent} = "))
                .push_bind(*parent_id)
                .push(format!("{clause} LIMIT "))
                .push_bind(limit)
                .push(")");
        }
    } else {
        qb.push(" UNION ALL SELECT p2.* FROM unnest(")
            .push_bind(parts.parents.clone())
            .push(format!(
                "::uuid[]) p (id) CROSS JOIN LATERAL (SELECT t.id, {key} FROM {table} t"
            ));
        conditions(qb, PartsBranch::Table);
        qb.push(format!(" AND t.{parent} = p.id{clause} LIMIT "))
            .push_bind(limit)
            .push(") p2");
    }
    for (grantee_type, grantee_id) in &parts.grantees {
        qb.push(format!(
            " UNION ALL (SELECT g.entity_id, g.{grant_copy} FROM app.d_entity_id_rbac_map g JOIN {table} t ON t.id = g.entity_id"
        ));
        conditions(
            qb,
            PartsBranch::Grants {
                sort_copy: grant_copy,
            },
        );
        qb.push(" AND g.tenant_id = ")
            .push_bind(user.tenant_id.clone())
            .push(" AND g.grantee_type = ")
            .push_bind(*grantee_type)
            .push(" AND g.grantee_id = ")
            .push_bind(*grantee_id)
            .push(" AND g.entity_type = ")
            .push_bind(entity.as_str())
            .push(format!(
                " AND g.entity_id IS NOT NULL AND {GRANT_IN_FORCE} ORDER BY g.{grant_copy} {dir}, g.entity_id {dir} LIMIT "
            ))
            .push_bind(limit)
            .push(")");
    }
    qb.push(format!(") t (id, k) ORDER BY k {dir}, id {dir} LIMIT "))
        .push_bind(limit)
        .push(format!(
            ") page JOIN {table} t ON t.id = page.id AND t.tenant_id = "
        ))
        .push_bind(user.tenant_id.clone())
        .push(")");
}

/// Restricts a list of `entity` rows (aliased `row_alias`, already under a WHERE) to those the
/// caller may view, in the shape `visibility` chose. Pushes ` AND (…)` unless `Everything`.
pub fn push_visibility_filter(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    entity: EntityType,
    row_alias: &str,
    visibility: &Visibility,
) {
    match visibility {
        Visibility::Everything => {}
        Visibility::Ids(ids) => {
            qb.push(format!(" AND {row_alias}.id = ANY("))
                .push_bind(ids.clone())
                .push(")");
        }
        Visibility::Dense(_) => {
            // The OR keeps PostgreSQL from turning the sets into joins: each becomes a hashed
            // subplan built once, and rows are checked as the list's index delivers them.
            qb.push(format!(" AND ({row_alias}.id IN ("));
            push_linked_visible_ids(qb, user, entity);
            qb.push(")");
            for (column, parent) in mirrored_parents(entity) {
                qb.push(format!(" OR {row_alias}.{column} IN ("));
                push_grant_ctes(qb, user);
                push_reach_cte(qb, user, entity);
                qb.push(" SELECT entity_id FROM pmo_reach WHERE entity_type = ")
                    .push_bind(parent.as_str())
                    .push(")");
            }
            qb.push(")");
        }
    }
}

/// `SELECT id` of every instance of `entity` an instance or cascading grant lets the caller view
/// (not counting `all` grants, which `push_visibility_filter` handles without a filter).
pub fn push_visible_ids(qb: &mut QueryBuilder<Postgres>, user: &CurrentUser, entity: EntityType) {
    push_linked_visible_ids(qb, user, entity);
    // Children under a reached parent whose link the row mirrors: one index range per parent.
    for (column, parent) in mirrored_parents(entity) {
        qb.push(format!(
            " UNION ALL SELECT c.id FROM {} c WHERE c.tenant_id = ",
            entity.registry().table
        ))
        .push_bind(user.tenant_id.clone())
        .push(format!(
            " AND c.{column} IN (SELECT entity_id FROM pmo_reach WHERE entity_type = "
        ))
        .push_bind(parent.as_str())
        .push(")");
    }
}

/// The grant CTEs, the reach toward `entity`, and `SELECT entity_id` of the instances of `entity`
/// that instance grants name or the link walk reaches — everything but the children of mirrored
/// parents, which callers add in the shape they need. UNION ALL: callers use the ids as a set (IN,
/// DISTINCT), and rows stream, so a LIMIT over them can stop early.
fn push_linked_visible_ids(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    entity: EntityType,
) {
    push_grant_ctes(qb, user);
    push_reach_cte(qb, user, entity);
    qb.push(" SELECT entity_id FROM pmo_grants WHERE entity_id IS NOT NULL AND entity_type = ")
        .push_bind(entity.as_str())
        .push(" UNION ALL SELECT entity_id FROM pmo_reach WHERE entity_type = ")
        .push_bind(entity.as_str());
}

/// The parents `entity` mirrors on its rows (a task's project), as (column, parent type).
fn mirrored_parents(entity: EntityType) -> impl Iterator<Item = (&'static str, EntityType)> {
    entity
        .registry()
        .fields
        .iter()
        .filter(|field| field.mirrors_link)
        .filter_map(|field| Some((field.column(), field.kind.reference()?)))
}

/// `, pmo_reach (entity_type, entity_id, depth)`: the instances the caller's cascading grants reach
/// (the granted instances and their descendants through containment links), after
/// `push_grant_ctes` — only the part that can lead to instances of `target`: the walk follows
/// links into `EntityType::cascade_path_types` only, so a list of projects does not enumerate the
/// tasks and files under every granted project.
fn push_reach_cte(qb: &mut QueryBuilder<Postgres>, user: &CurrentUser, target: EntityType) {
    let names =
        |types: &[EntityType]| -> Vec<&'static str> { types.iter().map(|t| t.as_str()).collect() };
    // The types on a path toward the target, and those of them worth expanding (a type whose
    // children are all off the path, such as a project when listing projects, is a leaf here).
    // Links from a parent type the target mirrors on its rows (a task's project) are not walked:
    // `push_visible_ids` reads those children through the column's index instead.
    let types = target.cascade_path_types();
    let expanders: Vec<EntityType> = types
        .iter()
        .copied()
        .filter(|t| {
            t.registry().children.iter().any(|c| {
                types.contains(c) && !(*c == target && target.registry().link_mirror(*t).is_some())
            })
        })
        .collect();
    qb.push(", pmo_reach (entity_type, entity_id, depth) AS (SELECT entity_type, entity_id, 0 FROM pmo_grants WHERE cascade_flag AND entity_type::text = ANY(")
        .push_bind(names(&types))
        .push(") UNION SELECT m.child_entity_type, m.child_entity_id, r.depth + 1 FROM pmo_reach r JOIN app.d_entity_id_map m ON m.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND m.parent_entity_type = r.entity_type AND m.parent_entity_id = r.entity_id AND m.active_flag AND m.child_entity_type <> 'employee' AND m.child_entity_type::text = ANY(")
        .push_bind(names(&types))
        .push(") AND r.entity_type::text = ANY(")
        .push_bind(names(&expanders))
        .push(")");
    qb.push(" WHERE r.depth < ")
        .push_bind(MAX_LINK_DEPTH)
        .push(")");
}

/// The types on whose every instance the caller holds View: every type for admins, otherwise the
/// types of their `all` grants (any level implies View). One query for all types.
pub async fn types_viewable_in_full<'e>(
    db: impl PgExecutor<'e>,
    user: &CurrentUser,
) -> Result<Vec<EntityType>, ApiError> {
    if user.tenant_admin {
        return Ok(EntityType::ALL.to_vec());
    }
    let grants = grant_set(db, user).await?;
    let mut types: Vec<EntityType> = grants
        .active()
        .filter(|grant| grant.entity_id.is_none())
        .map(|grant| grant.entity_type)
        .collect();
    types.sort_unstable();
    types.dedup();
    Ok(types)
}

/// How rows that name an instance of any type (a search hit, each end of a link) are restricted:
/// each type's own `Visibility`, decided (and cached) exactly as for a list of that type.
#[derive(Debug, Clone)]
pub struct PairVisibility(Vec<(EntityType, Visibility)>);

/// The `PairVisibility` of the caller over `types` (every type when empty).
pub async fn pair_visibility(
    db: &sqlx::PgPool,
    user: &CurrentUser,
    types: &[EntityType],
) -> Result<PairVisibility, ApiError> {
    let types = if types.is_empty() {
        &EntityType::ALL[..]
    } else {
        types
    };
    let mut each = Vec::with_capacity(types.len());
    if user.tenant_admin {
        each.extend(types.iter().map(|&entity| (entity, Visibility::Everything)));
        return Ok(PairVisibility(each));
    }
    let grants = grant_set(db, user).await?;
    for &entity in types {
        each.push((entity, visibility_under(db, user, &grants, entity).await?));
    }
    Ok(PairVisibility(each))
}

impl PairVisibility {
    /// Whether the caller sees every instance of every type (nothing to filter).
    pub fn everything(&self) -> bool {
        self.0.len() == EntityType::ALL.len()
            && self
                .0
                .iter()
                .all(|(_, visible)| matches!(visible, Visibility::Everything))
    }

    /// The types of which the caller sees anything, each with how.
    pub fn visible_types(&self) -> impl Iterator<Item = (EntityType, &Visibility)> {
        self.0
            .iter()
            .filter(|(_, visible)| !matches!(visible, Visibility::Ids(ids) if ids.is_empty()))
            .map(|(entity, visible)| (*entity, visible))
    }
}

/// Restricts rows naming an instance by `type_column` / `id_column` (already under a WHERE) to the
/// instances the caller may view: ` AND (…)`, one branch per type with anything visible, each
/// `push_instance_filter` of its type.
pub fn push_pair_visibility_filter(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    visibility: &PairVisibility,
    type_column: &str,
    id_column: &str,
) {
    if visibility.everything() {
        return;
    }
    qb.push(" AND (false");
    for (entity, visible) in visibility.visible_types() {
        qb.push(format!(" OR ({type_column} = "))
            .push_bind(entity.as_str())
            .push("::app.entity_type");
        push_instance_filter(qb, user, entity, visible, id_column);
        qb.push(")");
    }
    qb.push(")");
}

/// Restricts rows naming an instance of `entity` by `id_column` (already under a WHERE) to those
/// the caller may view: ` AND …`, nothing for a type seen in full. A sparse type tests its cached
/// ids, a dense one split into parts its named ids or the row's parent (probed per candidate, so a
/// rare word costs its matches, not the 13,000 rows a few projects hold), and any other dense one
/// its visible set built once for the query — the type's own reach, never the cross-type one.
pub fn push_instance_filter(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    entity: EntityType,
    visible: &Visibility,
    id_column: &str,
) {
    match visible {
        Visibility::Everything => {}
        Visibility::Ids(ids) => {
            qb.push(format!(" AND {id_column} = ANY("))
                .push_bind(ids.clone())
                .push(")");
        }
        Visibility::Dense(Some(parts)) => {
            qb.push(format!(" AND ({id_column} = ANY("))
                .push_bind(parts.ids.clone())
                .push(format!(
                    ") OR EXISTS (SELECT 1 FROM {} c WHERE c.tenant_id = ",
                    entity.registry().table
                ))
                .push_bind(user.tenant_id.clone())
                .push(format!(
                    " AND c.id = {id_column} AND c.{} = ANY(",
                    parts.parent_column
                ))
                .push_bind(parts.parents.clone())
                .push(")))");
        }
        Visibility::Dense(None) => {
            // Children of mirrored parents come through their column's index.
            qb.push(format!(" AND {id_column} IN ("));
            push_visible_ids(qb, user, entity);
            qb.push(")");
        }
    }
}

/// The caller's effective permissions, for `GET /api/v1/auth/permissions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionSummary {
    pub tenant_admin: bool,
    /// Levels on every instance of each type (from `all` grants; everything for admins).
    pub types: Vec<TypeLevels>,
    /// Grants on single instances, the caller's own and their roles'.
    pub instance_grants: Vec<InstanceGrant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TypeLevels {
    pub entity_type: EntityType,
    pub levels: Vec<Level>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InstanceGrant {
    pub entity_type: EntityType,
    pub entity_id: Uuid,
    pub levels: Vec<Level>,
    pub cascade: bool,
    pub via_role: Option<Uuid>,
    pub expires_ts: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn summary(db: &sqlx::PgPool, user: &CurrentUser) -> Result<PermissionSummary, ApiError> {
    if user.tenant_admin {
        let types = EntityType::ALL
            .into_iter()
            .map(|entity_type| TypeLevels {
                entity_type,
                levels: Levels::ALL.to_vec(),
            })
            .collect();
        return Ok(PermissionSummary {
            tenant_admin: true,
            types,
            instance_grants: Vec::new(),
        });
    }
    let grants = grant_set(db, user).await?;
    let mut active: Vec<&Grant> = grants.active().collect();
    active.sort_by_key(|grant| (grant.entity_type.as_str(), grant.entity_id));

    let mut type_masks = std::collections::BTreeMap::<&'static str, (EntityType, Levels)>::new();
    let mut instance_grants = Vec::new();
    for grant in active {
        match grant.entity_id {
            None => {
                let entry = type_masks
                    .entry(grant.entity_type.as_str())
                    .or_insert((grant.entity_type, Levels::NONE));
                entry.1 = Levels(entry.1.0 | grant.levels.0);
            }
            Some(entity_id) => instance_grants.push(InstanceGrant {
                entity_type: grant.entity_type,
                entity_id,
                levels: grant.levels.to_vec(),
                cascade: grant.cascade,
                via_role: grant.via_role,
                expires_ts: grant.expires_ts,
            }),
        }
    }
    let types = type_masks
        .into_values()
        .map(|(entity_type, levels)| TypeLevels {
            entity_type,
            levels: levels.to_vec(),
        })
        .collect();
    Ok(PermissionSummary {
        tenant_admin: false,
        types,
        instance_grants,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_level_implies_view() {
        let levels = Levels::from_levels(&[Level::Edit]);
        assert!(
            levels.contains(Level::View)
                && levels.contains(Level::Edit)
                && !levels.contains(Level::Delete)
        );
        assert_eq!(
            Levels::from_mask(Some(1 << 3)).to_vec(),
            vec![Level::View, Level::Delete]
        );
        assert!(Levels::from_mask(None).is_empty());
        assert!(Levels::ALL.contains_all(Levels::from_levels(&Level::ALL)));
        assert_eq!(
            Levels::from_levels(&[Level::Share, Level::Create]).to_numbers(),
            vec![0, 2, 4]
        );
    }
}
