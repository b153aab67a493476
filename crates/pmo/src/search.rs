//! Global search and pickers, over the instance registry `app.d_entity_instance_id`.
//!
//! - `GET /api/v1/search?q=&limit=&types=`: words of `q` as prefixes (`heat pu` finds "Heat pump
//!   install") through the full-text column `search_tsv` (name + code) and substrings of the name
//!   or code through the trigram indexes; only when those find nothing, close misspellings of the
//!   name by trigram word similarity (so typos still find something, and fuzzy noise never pushes
//!   real matches around). Ranked: exact code match first, then exact name, a name starting
//!   with `q`, names whose words start with the words of `q`, other substrings; shorter names
//!   first within each.
//! - `GET /api/v1/entity/{entity}/options?q=&limit=`: `{id, name, code}` of one type for pickers,
//!   substring match on name or code, ordered by name.
//!
//! Both list active records the caller may view only, filtered in the query itself
//! (`auth::permissions`). A picker's statement is not cached (`persistent(false)`): PostgreSQL then
//! always plans with the actual pattern, so it can choose between the trigram indexes (a rare
//! match) and the by-name index (a common one) — a cached generic plan cannot see the pattern and
//! picked the name-order scan, measured at 4.7 s instead of 6 ms on 1M registry rows. The one
//! exception is a picker read per reached parent, whose by-name ranges are the plan for any pattern.
//! Search orders by its rank, which no index holds, so every plan reads the matches from the text
//! indexes: a caller who does not see everything runs one branch per type (`push_candidates`),
//! and that statement is cached and runs on its generic plan on the cached-plan pool (planning
//! it took 2-3 ms, four times its execution; docs/BENCHMARKS.md). A caller who sees everything
//! runs one branch, planned each time for its pattern (0.4 ms): for a word matching most rows, the
//! plan that sees the pattern reads them in half the time. A non-admin's search is one statement,
//! the misspellings' half behind a test that the words' half found nothing (`Halves::Both`); an
//! admin's plans are made for each search, so its misspellings are a statement of their own, run
//! (and planned) only when the words found nothing.
//!
//! User text never becomes tsquery syntax: the words are stripped of every tsquery operator and
//! quote, then each is quoted as a prefix term and bound as a parameter.

use axum::extract::State;
use axum::extract::rejection::PathRejection;
use serde::{Deserialize, Serialize};
use sqlx::{Postgres, QueryBuilder};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::CurrentUser;
use crate::auth::permissions::{self, PairVisibility, PartsBranch, PartsOrder, Visibility};
use crate::entity::EntityType;
use crate::error::{ApiError, ErrorCode, ErrorEnvelope};
use crate::http::extract::AppQuery;
use crate::state::AppState;

const MAX_QUERY_CHARS: usize = 200;
const SEARCH_DEFAULT_LIMIT: i64 = 20;
const SEARCH_MAX_LIMIT: i64 = 50;
const OPTIONS_DEFAULT_LIMIT: i64 = 20;
const OPTIONS_MAX_LIMIT: i64 = 100;
/// At most this many words of `q` take part in the word match.
const MAX_WORDS: usize = 8;
/// The settings global search runs with, which the cached-plan pool's connections start with
/// (`db::cached_plan_pool`): the trigram functions on the search path where pg_trgm was installed
/// (schema app, or public when it was there first); a fuzzy match's minimum trigram word
/// similarity (0–1); and no parallel workers (a generic estimate of thousands of matches drew
/// two, whose start cost 9 ms).
pub const SEARCH_SETTINGS: [(&str, &str); 3] = [
    ("search_path", "app,public"),
    ("pg_trgm.word_similarity_threshold", "0.5"),
    ("max_parallel_workers_per_gather", "0"),
];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(list_entity_options))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// What to look for (required, at most 200 characters): words match as prefixes of the name's
    /// or code's words, or as a substring; when nothing matches so, close misspellings of names.
    pub q: Option<String>,
    /// 1–50 (default 20).
    pub limit: Option<i64>,
    /// Comma-separated entity types to search (default: all).
    pub types: Option<String>,
}

/// One search hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub entity_type: EntityType,
    pub id: Uuid,
    pub name: String,
    pub code: Option<String>,
    /// Higher is better: 2 for an exact code match, 1 for an exact name, 0.5 for a name that
    /// starts with `q`, 0.25 when the words of `q` start words of the name or code; a
    /// misspelling found by similarity carries its trigram word similarity (0–1) instead.
    pub rank: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub data: Vec<SearchHit>,
}

/// The words of a query as a prefix tsquery (`'heat':* & 'pu':*`), or None when no word is left.
/// Every tsquery operator, quote and backslash is removed first, so the text can only ever be a
/// list of quoted terms; the result is bound as a parameter of `to_tsquery`.
fn prefix_tsquery(q: &str) -> Option<String> {
    let cleaned: String = q
        .chars()
        .map(|c| match c {
            '\'' | '\\' | '&' | '|' | '!' | '(' | ')' | ':' | '*' | '<' | '>' | '"' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let terms: Vec<String> = cleaned
        .split_whitespace()
        // A word without a letter or digit has no lexeme (it would only draw a NOTICE).
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .take(MAX_WORDS)
        .map(|word| format!("'{word}':*"))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// `%text%` for LIKE, with LIKE's own metacharacters escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The checked `q`: trimmed, non-empty, at most 200 characters. Matching lower-cases both sides
/// in SQL (`lower()`), so the database's rules apply to both.
pub(crate) fn check_query(q: Option<&str>, required: bool) -> Result<Option<String>, ApiError> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    match q {
        None if required => Err(ApiError::malformed("q is required: what to search for")),
        None => Ok(None),
        Some(q) if q.chars().count() > MAX_QUERY_CHARS => Err(ApiError::malformed(format!(
            "q is at most {MAX_QUERY_CHARS} characters"
        ))),
        Some(q) if q.contains('\0') => Err(ApiError::malformed("q must not contain NUL")),
        Some(q) => Ok(Some(q.to_owned())),
    }
}

pub(crate) fn check_limit(limit: Option<i64>, default: i64, max: i64) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(default);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::malformed(format!(
            "limit must be between 1 and {max}"
        )))
    }
}

fn parse_types(raw: Option<&str>) -> Result<Option<Vec<EntityType>>, ApiError> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    let mut types = Vec::new();
    for name in raw
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let entity = name
            .parse::<EntityType>()
            .map_err(|_| ApiError::malformed(format!("types: unknown entity type `{name}`")))?;
        if !types.contains(&entity) {
            types.push(entity);
        }
    }
    if types.is_empty() {
        return Err(ApiError::malformed(
            "types: give one or more entity type names, comma-separated",
        ));
    }
    Ok(Some(types))
}

type HitRow = (String, Uuid, String, Option<String>, f64);

/// Search everything the caller may view: projects, tasks, people, clients, files…
#[utoipa::path(get, path = "/api/v1/search", tag = "search", operation_id = "search_records",
    security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = SearchResults),
        (status = 400, body = ErrorEnvelope, description = "q missing, empty or too long; bad limit or types"),
        (status = 401, body = ErrorEnvelope)))]
async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    AppQuery(query): AppQuery<SearchQuery>,
) -> Result<axum::Json<SearchResults>, ApiError> {
    let q = check_query(query.q.as_deref(), true)?.unwrap_or_default();
    let limit = check_limit(query.limit, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT)?;
    let types = parse_types(query.types.as_deref())?;
    let visibility =
        permissions::pair_visibility(&state.db, &user, types.as_deref().unwrap_or_default())
            .await?;
    if !visibility.everything() && visibility.visible_types().next().is_none() {
        return Ok(axum::Json(SearchResults { data: Vec::new() }));
    }
    let search = Search {
        user: &user,
        visibility: &visibility,
        tsquery: prefix_tsquery(&q),
        pattern: contains_pattern(&q),
        q,
        limit,
    };
    let rows: Vec<HitRow> = if visibility.everything() {
        // Planned each time for its pattern, on the main pool: this transaction gets the
        // settings the cached-plan pool's connections start with (`SEARCH_SETTINGS`). The
        // misspellings are a statement of their own, planned only when the words found nothing.
        let (names, values): (Vec<&str>, Vec<&str>) = SEARCH_SETTINGS.into_iter().unzip();
        let mut tx = state.db.begin().await?;
        sqlx::query("SELECT set_config(name, value, true) FROM unnest($1::text[], $2::text[]) s (name, value)")
            .bind(names)
            .bind(values)
            .execute(&mut *tx)
            .await?;
        let mut rows = hits_statement(&search, Halves::Words)
            .build_query_as()
            .persistent(false)
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            rows = hits_statement(&search, Halves::Misspellings)
                .build_query_as()
                .persistent(false)
                .fetch_all(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        rows
    } else {
        // One branch per type, on its cached generic plan (see the module comment), and both
        // halves in one statement: one round trip, no transaction.
        hits_statement(&search, Halves::Both)
            .build_query_as()
            .fetch_all(&state.cached_plans)
            .await?
    };

    let data = rows
        .into_iter()
        .filter_map(|(entity_type, id, name, code, rank)| {
            Some(SearchHit {
                entity_type: entity_type.parse().ok()?,
                id,
                name,
                code,
                rank,
            })
        })
        .collect();
    Ok(axum::Json(SearchResults { data }))
}

/// What one global search looks for, for whom.
struct Search<'a> {
    user: &'a CurrentUser,
    visibility: &'a PairVisibility,
    q: String,
    tsquery: Option<String>,
    pattern: String,
    limit: i64,
}

/// Which half of a search a statement runs.
#[derive(Clone, Copy, PartialEq)]
enum Halves {
    /// Words and substrings (built-in functions and operators only).
    Words,
    /// Close misspellings of the name.
    Misspellings,
    /// Both, the misspellings behind `NOT EXISTS (SELECT FROM words)`: a one-time test
    /// PostgreSQL makes before it reads anything for that half.
    Both,
}

/// `SELECT entity_type, entity_id, name, code, rank` of a search's hits, best first.
fn hits_statement(search: &Search, halves: Halves) -> QueryBuilder<Postgres> {
    let mut qb = QueryBuilder::new("");
    if halves == Halves::Both {
        qb.push("WITH words AS (");
        push_word_hits(&mut qb, search);
        qb.push(") ");
    }
    qb.push("SELECT entity_type::text, entity_id, name, code, rank FROM (");
    match halves {
        Halves::Words => push_word_hits(&mut qb, search),
        Halves::Misspellings => push_misspelled_hits(&mut qb, search, false),
        Halves::Both => {
            qb.push("SELECT * FROM words UNION ALL (");
            push_misspelled_hits(&mut qb, search, true);
            qb.push(")");
        }
    }
    // Only one half has rows, so this is its order (shorter names first among word matches).
    qb.push(") hits ORDER BY rank DESC, CASE WHEN by_words THEN length(name) END, lower(name), entity_type, entity_id");
    qb
}

/// The best `limit` hits of the words of `q` as prefixes, or of `q` as a substring.
fn push_word_hits(qb: &mut QueryBuilder<Postgres>, search: &Search) {
    qb.push("SELECT i.entity_type, i.entity_id, i.name, i.code, (");
    push_rank(qb, &search.q, search.tsquery.as_deref());
    qb.push(")::float8 AS rank, true AS by_words FROM ");
    push_candidates(qb, search.user, search.visibility, |qb| {
        qb.push("lower(i.name) LIKE lower(")
            .push_bind(search.pattern.clone())
            .push(") OR lower(i.code) LIKE lower(")
            .push_bind(search.pattern.clone())
            .push(")");
        if let Some(tsquery) = &search.tsquery {
            qb.push(" OR i.search_tsv @@ to_tsquery('simple', ")
                .push_bind(tsquery.clone())
                .push(")");
        }
    });
    // An exact code (2) outranks any name match (at most 1 + 0.5 + 0.25): rank alone orders it.
    qb.push(
        " ORDER BY rank DESC, length(i.name), lower(i.name), i.entity_type, i.entity_id LIMIT ",
    )
    .push_bind(search.limit);
}

/// The best `limit` names similar to `q` (misspellings), only when the CTE `words` is empty if
/// `after_words`.
fn push_misspelled_hits(qb: &mut QueryBuilder<Postgres>, search: &Search, after_words: bool) {
    qb.push("SELECT i.entity_type, i.entity_id, i.name, i.code, word_similarity(lower(")
        .push_bind(search.q.clone())
        .push("), lower(i.name))::float8 AS rank, false AS by_words FROM ");
    push_candidates(qb, search.user, search.visibility, |qb| {
        qb.push("lower(")
            .push_bind(search.q.clone())
            .push(") <% lower(i.name)");
    });
    if after_words {
        qb.push(" WHERE NOT EXISTS (SELECT FROM words)");
    }
    qb.push(" ORDER BY rank DESC, lower(i.name), i.entity_type, i.entity_id LIMIT ")
        .push_bind(search.limit);
}

/// The rank of a word/substring hit, from comparisons only: exact code 2, exact name 1, a name
/// that starts with `q` 0.5, a match of its words as prefixes 0.25 (shorter names first among
/// equals: see the ORDER BY). `ts_rank` and trigram similarity ranked the same hits in much the
/// same order but cost 5 µs a row: 7 of 9 ms when 1,250 projects match a common word.
fn push_rank(qb: &mut QueryBuilder<Postgres>, q: &str, tsquery: Option<&str>) {
    qb.push("CASE WHEN lower(i.code) = lower(")
        .push_bind(q.to_owned())
        .push(") THEN 2 ELSE 0 END + CASE WHEN lower(i.name) = lower(")
        .push_bind(q.to_owned())
        .push(") THEN 1 ELSE 0 END + CASE WHEN starts_with(lower(i.name), lower(")
        .push_bind(q.to_owned())
        .push(")) THEN 0.5 ELSE 0 END");
    if let Some(tsquery) = tsquery {
        qb.push(" + CASE WHEN i.search_tsv @@ to_tsquery('simple', ")
            .push_bind(tsquery.to_owned())
            .push(") THEN 0.25 ELSE 0 END");
    }
}

/// Up to this many visible ids of a type, a search branch may read them by id; beyond, it reads
/// the type's matches from the text indexes first and keeps the visible ones. Probing ids costs
/// the same whatever the query; reading matches costs their number, which for a specific word is
/// far below a thousand ids (and the planner, misled by the word index's estimates, chose 1,177
/// probes over an index read that found nothing).
const SEARCH_PROBE_IDS_MAX: usize = 64;

/// ` (…) i`: the registry rows `matches` (which pushes a condition over alias `i`) accepts among
/// the tenant's live rows of the types `visibility` covers that the caller may view. A caller who
/// sees everything reads the text indexes once; anyone else reads one branch per type they see
/// anything of, each keyed on its type in the indexes (migration 0056) and filtered by its own
/// visibility, so the matches of types they cannot see are never read.
fn push_candidates(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    visibility: &PairVisibility,
    matches: impl Fn(&mut QueryBuilder<Postgres>),
) {
    qb.push("(");
    if visibility.everything() {
        // Every type, seen in full (`types` named none or all of them).
        push_candidate_rows(qb, user, None, &matches);
    } else {
        for (n, (entity, visible)) in visibility.visible_types().enumerate() {
            if n > 0 {
                qb.push(" UNION ALL ");
            }
            // A long id list is tested after the index read, behind OFFSET 0 (which keeps
            // PostgreSQL from turning the test into one index probe per id).
            let fenced =
                matches!(visible, Visibility::Ids(ids) if ids.len() > SEARCH_PROBE_IDS_MAX);
            if fenced {
                qb.push("SELECT * FROM (");
            }
            push_candidate_rows(qb, user, Some(entity), &matches);
            if fenced {
                qb.push(" OFFSET 0) i WHERE true");
            }
            permissions::push_instance_filter(qb, user, entity, visible, "i.entity_id");
        }
    }
    qb.push(") i");
}

/// `SELECT … WHERE …` of the live registry rows of the tenant (of `entity` when given) that
/// `matches` accepts, with the columns the ranking reads.
fn push_candidate_rows(
    qb: &mut QueryBuilder<Postgres>,
    user: &CurrentUser,
    entity: Option<EntityType>,
    matches: &impl Fn(&mut QueryBuilder<Postgres>),
) {
    qb.push("SELECT i.entity_type, i.entity_id, i.name, i.code, i.search_tsv FROM app.d_entity_instance_id i WHERE i.tenant_id = ")
        .push_bind(user.tenant_id.clone())
        .push(" AND i.active_flag");
    if let Some(entity) = entity {
        qb.push(" AND i.entity_type = ")
            .push_bind(entity.as_str())
            .push("::app.entity_type");
    }
    qb.push(" AND (");
    matches(qb);
    qb.push(")");
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OptionsQuery {
    /// Part of the name or code (at most 200 characters); omit for the first records by name.
    pub q: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

/// One choice of a picker.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntityOption {
    pub id: Uuid,
    pub name: String,
    pub code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityOptions {
    pub data: Vec<EntityOption>,
}

/// Choices for a picker of one entity type: active records the caller may view whose name or
/// code contains `q`, ordered by name.
#[utoipa::path(get, path = "/api/v1/entity/{entity}/options", tag = "search",
    operation_id = "list_entity_options", security(("bearer" = [])),
    params(("entity" = EntityType, Path, description = "Entity type name"), OptionsQuery),
    responses((status = 200, body = EntityOptions),
        (status = 400, body = ErrorEnvelope, description = "q too long, bad limit"),
        (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope, description = "No such entity type")))]
async fn list_entity_options(
    State(state): State<AppState>,
    user: CurrentUser,
    entity: Result<axum::extract::Path<String>, PathRejection>,
    AppQuery(query): AppQuery<OptionsQuery>,
) -> Result<axum::Json<EntityOptions>, ApiError> {
    let name = entity
        .map(|axum::extract::Path(name)| name)
        .unwrap_or_default();
    let entity = name.parse::<EntityType>().map_err(|_| {
        ApiError::new(
            ErrorCode::NotFound,
            format!("no entity type named `{name}`"),
        )
    })?;
    let q = check_query(query.q.as_deref(), false)?;
    let limit = check_limit(query.limit, OPTIONS_DEFAULT_LIMIT, OPTIONS_MAX_LIMIT)?;
    // Callers who see every record pick from the registry (trigram-indexed names, the fast path for
    // rare substrings). Everyone else picks from the type's own table under the list's visibility
    // filter, in whichever shape fits how much they see.
    let visibility = permissions::list_visibility(&state.db, &user, entity).await?;
    let name_order = PartsOrder::of(entity, "name", "lower(t.name)", false);
    if let (Visibility::Dense(Some(parts)), Some(name_order)) = (&visibility, name_order) {
        // A few reached projects and named ids: each project's matches in name order, cut at
        // the page (`permissions::push_parts_source`), instead of the whole table in name order.
        let mut qb = QueryBuilder::<Postgres>::new("SELECT t.id, t.name, t.code FROM ");
        permissions::push_parts_source(
            &mut qb,
            &user,
            entity,
            parts,
            |qb, branch| {
                push_option_conditions(qb, &user, q.as_deref());
                // A grant walk matches `q` on the grant's copies first, from the index alone, and
                // opens only the matching tasks (38 of the benchmark user's 300 for `inst`).
                if let (PartsBranch::Grants { .. }, Some(q)) = (branch, q.as_deref()) {
                    push_text_match(qb, "g.target_name_lower", "g.target_code_lower", q);
                }
            },
            name_order,
            limit,
        );
        qb.push(" t ORDER BY lower(t.name), t.id LIMIT ")
            .push_bind(limit);
        // Every branch reads a by-name index range whatever the pattern: the generic plan is the
        // custom plans' plan (as slow for a rare word: 6–11 ms against 8.6), without their 2.5 ms
        // of planning, which PostgreSQL's automatic choice pays five times on every connection.
        return fetch_options(&state.cached_plans, qb, true).await;
    }
    let mut qb = if matches!(visibility, Visibility::Everything) {
        let mut qb = QueryBuilder::<Postgres>::new(
            "SELECT t.entity_id AS id, t.name, t.code FROM app.d_entity_instance_id t WHERE t.entity_type = ",
        );
        qb.push_bind(entity.as_str()).push(" AND t.tenant_id = ");
        qb
    } else {
        let mut qb = QueryBuilder::<Postgres>::new("SELECT t.id, t.name, t.code FROM ");
        qb.push(entity.registry().table)
            .push(" t WHERE t.tenant_id = ");
        qb
    };
    qb.push_bind(user.tenant_id.clone());
    push_option_match(&mut qb, q.as_deref());
    permissions::push_visibility_filter(&mut qb, &user, entity, "t", &visibility);
    qb.push(" ORDER BY lower(t.name), 1 LIMIT ")
        .push_bind(limit);
    fetch_options(&state.db, qb, false).await
}

/// ` WHERE` tenant, live and matching `q`, over alias `t` of the type's own table.
fn push_option_conditions(qb: &mut QueryBuilder<Postgres>, user: &CurrentUser, q: Option<&str>) {
    qb.push(" WHERE t.tenant_id = ")
        .push_bind(user.tenant_id.clone());
    push_option_match(qb, q);
}

/// ` AND` live and, when `q` is given, name or code containing it.
fn push_option_match(qb: &mut QueryBuilder<Postgres>, q: Option<&str>) {
    qb.push(" AND t.active_flag = true");
    if let Some(q) = q {
        push_text_match(qb, "lower(t.name)", "lower(t.code)", q);
    }
}

/// ` AND` a lower-cased name or code (SQL expressions) containing `q`.
fn push_text_match(qb: &mut QueryBuilder<Postgres>, name: &str, code: &str, q: &str) {
    let pattern = contains_pattern(q);
    qb.push(format!(" AND ({name} LIKE lower("))
        .push_bind(pattern.clone())
        .push(format!(") OR {code} LIKE lower("))
        .push_bind(pattern)
        .push("))");
}

/// Runs an options query; `cache_plan` only where the best plan cannot depend on the pattern.
async fn fetch_options(
    db: &sqlx::PgPool,
    mut qb: QueryBuilder<Postgres>,
    cache_plan: bool,
) -> Result<axum::Json<EntityOptions>, ApiError> {
    let rows: Vec<(Uuid, String, Option<String>)> = qb
        .build_query_as()
        .persistent(cache_plan)
        .fetch_all(db)
        .await?;
    let data = rows
        .into_iter()
        .map(|(id, name, code)| EntityOption { id, name, code })
        .collect();
    Ok(axum::Json(EntityOptions { data }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_never_carry_tsquery_syntax() {
        assert_eq!(
            prefix_tsquery("Heat pu").as_deref(),
            Some("'Heat':* & 'pu':*")
        );
        assert_eq!(prefix_tsquery("'):*|&!"), None);
        assert_eq!(
            prefix_tsquery("o'brien & (x|y):*").as_deref(),
            Some("'o':* & 'brien':* & 'x':* & 'y':*")
        );
        assert_eq!(prefix_tsquery("PRJ-0001").as_deref(), Some("'PRJ-0001':*"));
        assert_eq!(prefix_tsquery("\\'; DROP"), Some("'DROP':*".to_owned()));
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        assert!(check_query(Some("  "), true).is_err());
        assert!(check_query(Some(&"x".repeat(201)), true).is_err());
        assert_eq!(
            check_query(Some(" Heat "), true).ok().flatten().as_deref(),
            Some("Heat")
        );
    }
}
