//! Cache adapter: in-process (moka, the embedded default) or a shared Redis (`cache.redis_url`),
//! behind one interface, with invalidation that reaches every instance.
//!
//! Correctness rules, in order:
//! - The database is the truth; the cache only ever saves a read. Any cache failure (Redis down,
//!   slow, unreachable at start-up) is a miss: callers read the database, nothing fails.
//! - Invalidation travels through PostgreSQL: `invalidate` deletes locally and in Redis, and sends
//!   `NOTIFY pmo_cache` on the caller's executor. Inside the writer's transaction the notification
//!   is delivered at commit, never before the change is visible. Every instance listens
//!   (`spawn_invalidation_listener`) and deletes the key from its memory and from Redis, so a
//!   Redis outage cannot leave a stale entry: an instance that lost contact with Redis flushes its
//!   key prefix before it uses Redis again.
//! - A load that raced with an invalidation is not stored: `load` notes the invalidation epoch
//!   before reading the database and skips the write when an invalidation arrived meanwhile.
//! - One load per key at a time in the local tier (`load_local`): callers that miss a key while
//!   its load runs wait for it and take what it stored, instead of all reading the same answer
//!   at once (a cold or expired permission answer under load was computed once per request in
//!   flight: 64 searches each spent 0.6 s of database time on the same visible sets). A waiter
//!   never takes a value the load did not store, so the race rule above still holds for it.
//!   An entry still being read is loaded again by one reader a minute before it expires
//!   (`REFRESH_AFTER`) while the others keep using it, so its readers never all miss at once.
//! - Entries expire (`ttl`) even when nothing invalidates them, bounding any remaining gap.
//!
//! What is cached, and why only that, is written down in docs/OBSERVABILITY.md ("Cache").

use std::any::Any;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlx::{PgExecutor, PgPool};
use tokio::sync::RwLock;

use crate::config::Config;

/// The PostgreSQL channel that carries invalidations between instances.
pub const INVALIDATION_CHANNEL: &str = "pmo_cache";

/// Namespace of the signing-key statuses `auth::keys::SigningKeys` caches per instance: an
/// invalidation of it (sent by a key rotation) makes every instance forget them at once.
pub const SIGNING_KEYS: &str = "auth.signing_keys";

/// Longest an entry lives without being invalidated.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Age at which a local-tier entry still being read is loaded again by one of its readers
/// (`Cache::load_local`), a minute before it would expire under all of them at once.
const REFRESH_AFTER: Duration = Duration::from_secs(240);

/// Namespace of the caller-specific permission answers (`auth::permissions`): grants, visible
/// sets, levels on instances. A grant write invalidates the tenant's share, a link write the part
/// of it the link can change (`permissions::link_changed`).
pub const PERMISSIONS: &str = "perm";

/// Namespace of datalabel value lists, per tenant; every datalabel write invalidates its tenant's.
pub const DATALABELS: &str = "datalabel";

/// Namespace of the registry's record names that pages show beside references
/// (`ref_name/<tenant>/<type>:<id>`, `entity::records`). The registry's own triggers send the
/// invalidations (migration 0061), so renames by any writer, SQL included, reach every instance.
pub const REFERENCE_NAMES: &str = "ref_name";

/// Namespace of sessions as the `CurrentUser` extractor reads them: ending a session invalidates
/// its key; a write to an employee invalidates the tenant's share.
pub const SESSIONS: &str = "auth.session";

/// A cache key: a namespace (what kind of answer), an optional tenant, and the item.
/// Invalidation works on one key or on every key of a namespace (optionally of one tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheKey {
    pub namespace: &'static str,
    pub tenant: Option<String>,
    pub item: String,
}

impl CacheKey {
    pub fn new(namespace: &'static str, tenant: Option<&str>, item: impl Into<String>) -> Self {
        CacheKey {
            namespace,
            tenant: tenant.map(str::to_owned),
            item: item.into(),
        }
    }

    /// `namespace/tenant/item`; tenant slugs and namespaces never contain `/`.
    fn render(&self) -> String {
        format!(
            "{}/{}/{}",
            self.namespace,
            self.tenant.as_deref().unwrap_or("-"),
            self.item
        )
    }
}

/// What to forget, everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum Invalidation {
    /// One key.
    Key { key: String },
    /// Every key of a namespace, or of a namespace and tenant.
    Namespace {
        namespace: String,
        tenant: Option<String>,
    },
    /// Every key of a namespace and tenant whose item starts with one of `items`: answers about
    /// one kind of thing for every caller, when the item names that kind first
    /// (`auth::permissions` keys its answers `visible:task@<employee>`). Local-tier entries stored
    /// with the mark `sparing` (`Cache::load_local_marked`) are kept.
    Items {
        namespace: String,
        tenant: String,
        items: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sparing: Option<String>,
    },
}

impl Invalidation {
    pub fn key(key: &CacheKey) -> Invalidation {
        Invalidation::Key { key: key.render() }
    }

    pub fn namespace(namespace: &str, tenant: Option<&str>) -> Invalidation {
        Invalidation::Namespace {
            namespace: namespace.to_owned(),
            tenant: tenant.map(str::to_owned),
        }
    }

    pub fn items(
        namespace: &str,
        tenant: &str,
        items: Vec<String>,
        sparing: Option<&str>,
    ) -> Invalidation {
        Invalidation::Items {
            namespace: namespace.to_owned(),
            tenant: tenant.to_owned(),
            items,
            sparing: sparing.map(str::to_owned),
        }
    }

    /// The mark of the local-tier entries this invalidation keeps.
    fn sparing(&self) -> Option<&str> {
        match self {
            Invalidation::Items { sparing, .. } => sparing.as_deref(),
            _ => None,
        }
    }

    /// The namespace this invalidation concerns.
    pub fn namespace_name(&self) -> &str {
        match self {
            Invalidation::Key { key } => key.split('/').next().unwrap_or(""),
            Invalidation::Namespace { namespace, .. } | Invalidation::Items { namespace, .. } => {
                namespace
            }
        }
    }

    /// The rendered-key prefixes this invalidation covers (the whole key for `Key`).
    fn prefixes(&self) -> Vec<String> {
        match self {
            Invalidation::Key { key } => vec![key.clone()],
            Invalidation::Namespace {
                namespace,
                tenant: Some(tenant),
            } => vec![format!("{namespace}/{tenant}/")],
            Invalidation::Namespace {
                namespace,
                tenant: None,
            } => vec![format!("{namespace}/")],
            Invalidation::Items {
                namespace,
                tenant,
                items,
                ..
            } => items
                .iter()
                .map(|item| format!("{namespace}/{tenant}/{item}"))
                .collect(),
        }
    }
}

/// Whether an invalidation with these rendered-key `prefixes` covers `key`.
fn covered_by(prefixes: &[String], key: &str) -> bool {
    prefixes
        .iter()
        .any(|prefix| key.starts_with(prefix.as_str()))
}

/// Something else to do when an invalidation of a namespace arrives (e.g. forget signing keys).
type Hook = Arc<dyn Fn(&Invalidation) + Send + Sync>;

/// The cache. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Cache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

struct Inner {
    backend: Backend,
    /// Answers read on every request by this instance only (`load_local`): typed values, no
    /// encoding and no network hop, weighed in bytes.
    local: moka::future::Cache<String, LocalEntry>,
    /// Bumped by every invalidation applied here; `load` compares it around its database read.
    epoch: AtomicU64,
    /// One gate per local-tier key being loaded (`LoadTurn`); dead entries are removed by the
    /// last caller through them.
    loading: LoadGates,
    /// Age at which `load_local` reloads an entry that is still in use (`REFRESH_AFTER`).
    refresh_after: Duration,
    hooks: std::sync::RwLock<Vec<(String, Hook)>>,
}

/// A value of the local tier and its approximate size in bytes.
#[derive(Clone)]
struct LocalEntry {
    value: Arc<dyn Any + Send + Sync>,
    weight: u32,
    stored: Instant,
    /// What the loader said of the value, for invalidations that spare such entries.
    mark: Option<&'static str>,
}

/// The keys of the local tier being loaded, each with the gate its callers take turns through.
#[derive(Default)]
struct LoadGates(std::sync::Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>);

impl LoadGates {
    /// Waits until no other caller is loading `rendered`, and holds the turn until dropped
    /// (also when the caller's future is dropped mid-load: the next caller then loads).
    async fn turn(&self, rendered: &str) -> LoadTurn<'_> {
        let gate = self.gate(rendered);
        LoadTurn {
            gates: self,
            rendered: rendered.to_owned(),
            held: Some(gate.lock_owned().await),
        }
    }

    /// The turn to load `rendered` if nobody is loading it now, without waiting.
    fn try_turn(&self, rendered: &str) -> Option<LoadTurn<'_>> {
        let gate = self.gate(rendered);
        match Arc::clone(&gate).try_lock_owned() {
            Ok(held) => Some(LoadTurn {
                gates: self,
                rendered: rendered.to_owned(),
                held: Some(held),
            }),
            Err(_) => {
                self.release(rendered, gate);
                None
            }
        }
    }

    /// The gate of `rendered`, shared with every caller holding or awaiting it.
    fn gate(&self, rendered: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match gates.get(rendered).and_then(Weak::upgrade) {
            Some(gate) => gate,
            None => {
                let gate = Arc::new(tokio::sync::Mutex::new(()));
                gates.insert(rendered.to_owned(), Arc::downgrade(&gate));
                gate
            }
        }
    }

    /// Drops a caller's hold on a gate, and the gate itself when nobody else holds it.
    fn release(&self, rendered: &str, gate: Arc<tokio::sync::Mutex<()>>) {
        let mut gates = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        // Only the map hands out the gate, under this lock: when this is its last holder, no
        // caller waits on it or is about to.
        if Arc::strong_count(&gate) == 1 {
            gates.remove(rendered);
        }
    }
}

/// One caller's turn to load a key (`LoadGates::turn`).
struct LoadTurn<'a> {
    gates: &'a LoadGates,
    rendered: String,
    held: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for LoadTurn<'_> {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else {
            return;
        };
        let gate = Arc::clone(tokio::sync::OwnedMutexGuard::mutex(&held));
        drop(held);
        self.gates.release(&self.rendered, gate);
    }
}

enum Backend {
    InProcess(moka::future::Cache<String, Bytes>),
    Redis(Arc<RedisBackend>),
}

impl Cache {
    /// The backend chosen by configuration. With Redis, connecting happens in the background:
    /// start-up never waits for (or fails on) an unreachable Redis; until it answers, every read
    /// is a miss and readiness reports `cache: down`.
    pub fn from_config(config: &Config) -> anyhow::Result<Cache> {
        let backend = match &config.cache.redis_url {
            None => Backend::InProcess(
                moka::future::Cache::builder()
                    .max_capacity(config.cache.max_entries)
                    .time_to_live(DEFAULT_TTL)
                    .build(),
            ),
            Some(url) => {
                if url.expose_secret().starts_with("rediss:") {
                    // Redis's TLS uses rustls' process-wide provider; more than one is compiled in
                    // (ring, aws-lc-rs), so choose one or the first TLS connection panics.
                    let _ = rustls::crypto::ring::default_provider().install_default();
                }
                let client = redis::Client::open(url.expose_secret()).map_err(|err| {
                    anyhow::anyhow!("configuration key `cache.redis_url` is not usable: {err}")
                })?;
                let redis = Arc::new(RedisBackend {
                    client,
                    connection: RwLock::new(None),
                    healthy: AtomicBool::new(false),
                    needs_flush: AtomicBool::new(true),
                    prefix: config.cache.redis_key_prefix.clone(),
                    timeout: Duration::from_millis(config.cache.redis_timeout_ms),
                    last_error: std::sync::Mutex::new(Some("not connected yet".to_owned())),
                });
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(supervise_redis(Arc::downgrade(&redis)));
                }
                Backend::Redis(redis)
            }
        };
        let local = moka::future::Cache::builder()
            .max_capacity(config.cache.local_max_bytes)
            .weigher(|key: &String, entry: &LocalEntry| {
                entry
                    .weight
                    .saturating_add(u32::try_from(key.len()).unwrap_or(u32::MAX))
            })
            .time_to_live(DEFAULT_TTL)
            .support_invalidation_closures()
            .build();
        Ok(Cache {
            inner: Arc::new(Inner {
                backend,
                local,
                epoch: AtomicU64::new(0),
                loading: LoadGates::default(),
                refresh_after: REFRESH_AFTER,
                hooks: std::sync::RwLock::new(Vec::new()),
            }),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match &self.inner.backend {
            Backend::InProcess(_) => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    /// Raw read. `None` on a miss and on any backend failure.
    pub async fn get(&self, key: &CacheKey) -> Option<Bytes> {
        let rendered = key.render();
        let found = match &self.inner.backend {
            Backend::InProcess(cache) => cache.get(&rendered).await,
            Backend::Redis(redis) => redis.get(&rendered).await,
        };
        crate::metrics::cache_lookup(key.namespace, found.is_some());
        found
    }

    /// Raw write, best effort.
    pub async fn put(&self, key: &CacheKey, value: Bytes, ttl: Duration) {
        let rendered = key.render();
        match &self.inner.backend {
            // moka's TTL is per cache; entries here live at most DEFAULT_TTL.
            Backend::InProcess(cache) => cache.insert(rendered, value).await,
            Backend::Redis(redis) => redis.put(&rendered, value, ttl).await,
        }
    }

    /// The cached answer for `key`, or `loader`'s (stored for next time unless an invalidation
    /// arrived while it ran). Values that fail to decode are treated as misses.
    pub async fn load<T, E, F, Fut>(&self, key: &CacheKey, ttl: Duration, loader: F) -> Result<T, E>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(bytes) = self.get(key).await
            && let Ok(value) = serde_json::from_slice(&bytes)
        {
            return Ok(value);
        }
        let epoch = self.inner.epoch.load(Ordering::Acquire);
        let value = loader().await?;
        if self.inner.epoch.load(Ordering::Acquire) == epoch
            && let Ok(bytes) = serde_json::to_vec(&value)
        {
            self.put(key, Bytes::from(bytes), ttl).await;
        }
        Ok(value)
    }

    /// This instance's answer for `key`, or `loader`'s, kept in memory here only (never in Redis:
    /// for answers read on every request a network hop would cost about what it saves). `weigh`
    /// estimates a value's size in bytes, which bounds the tier (`cache.local_max_bytes`).
    /// Invalidation and the race rule are those of `load`. Callers missing a key that is being
    /// loaded wait for that load; an entry older than `REFRESH_AFTER` is reloaded by the first
    /// caller that finds it so while the others keep using it (module comment).
    pub async fn load_local<T, E, F, Fut>(
        &self,
        key: &CacheKey,
        weigh: impl FnOnce(&T) -> usize,
        loader: F,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.load_local_marked(key, |value| (weigh(value), None), loader)
            .await
    }

    /// `load_local`, where `describe` gives the value's weight and a mark: an invalidation of its
    /// key's items that spares this mark (`Invalidation::Items`) keeps the entry.
    pub async fn load_local_marked<T, E, F, Fut>(
        &self,
        key: &CacheKey,
        describe: impl FnOnce(&T) -> (usize, Option<&'static str>),
        loader: F,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let (rendered, held) = self.local_get::<T>(key).await;
        let turn = match held {
            Some((value, stored)) if stored.elapsed() < self.inner.refresh_after => {
                return Ok(value);
            }
            // Due for a refresh: the first caller to notice reloads it, and meanwhile the others
            // keep using it, so an answer read all the time never expires under its readers.
            Some((value, _)) => match self.inner.loading.try_turn(&rendered) {
                Some(turn) => turn,
                None => return Ok(value),
            },
            None => self.inner.loading.turn(&rendered).await,
        };
        // Another caller may have stored it while this one waited for its turn.
        if let Some((value, stored)) = self.local_entry::<T>(&rendered).await
            && stored.elapsed() < self.inner.refresh_after
        {
            return Ok(value);
        }
        let epoch = self.inner.epoch.load(Ordering::Acquire);
        let value = Arc::new(loader().await?);
        if self.inner.epoch.load(Ordering::Acquire) == epoch {
            let (weight, mark) = describe(&value);
            self.local_put(rendered, &value, weight, mark).await;
        }
        drop(turn);
        Ok(value)
    }

    /// `load_local` for many keys at once: this instance's values for the `wanted` items, and
    /// for the ones it does not hold, whatever one call of `loader` returns. An item the loader
    /// leaves out is not stored, so absence is never cached: it is looked up again next time.
    pub async fn load_local_many<K, T, E, F, Fut>(
        &self,
        wanted: impl IntoIterator<Item = (K, CacheKey)>,
        weigh: impl Fn(&T) -> usize,
        loader: F,
    ) -> Result<HashMap<K, Arc<T>>, E>
    where
        K: Eq + Hash + Clone,
        T: Send + Sync + 'static,
        F: FnOnce(Vec<K>) -> Fut,
        Fut: Future<Output = Result<Vec<(K, T)>, E>>,
    {
        let mut found = HashMap::new();
        let mut missing = HashMap::new();
        for (item, key) in wanted {
            match self.local_get::<T>(&key).await {
                (_, Some((value, _))) => {
                    found.insert(item, value);
                }
                (rendered, None) => {
                    missing.insert(item, rendered);
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let epoch = self.inner.epoch.load(Ordering::Acquire);
        let loaded = loader(missing.keys().cloned().collect()).await?;
        let store = self.inner.epoch.load(Ordering::Acquire) == epoch;
        for (item, value) in loaded {
            let value = Arc::new(value);
            if store && let Some(rendered) = missing.remove(&item) {
                self.local_put(rendered, &value, weigh(&value), None).await;
            }
            found.insert(item, value);
        }
        Ok(found)
    }

    /// The local tier's value of type `T` for `key` and when it was stored (counted as a hit or
    /// a miss), with the key rendered for a `local_put` after a miss.
    async fn local_get<T: Send + Sync + 'static>(
        &self,
        key: &CacheKey,
    ) -> (String, Option<(Arc<T>, Instant)>) {
        let rendered = key.render();
        let held = self.local_entry::<T>(&rendered).await;
        crate::metrics::cache_lookup(key.namespace, held.is_some());
        (rendered, held)
    }

    /// The local tier's value of type `T` under the rendered key and when it was stored, uncounted.
    async fn local_entry<T: Send + Sync + 'static>(
        &self,
        rendered: &str,
    ) -> Option<(Arc<T>, Instant)> {
        let entry = self.inner.local.get(rendered).await?;
        Some((entry.value.downcast::<T>().ok()?, entry.stored))
    }

    /// Stores `value` in the local tier, weighing `weight` bytes (plus its key's), with its mark.
    async fn local_put<T: Send + Sync + 'static>(
        &self,
        rendered: String,
        value: &Arc<T>,
        weight: usize,
        mark: Option<&'static str>,
    ) {
        let entry = LocalEntry {
            value: value.clone(),
            weight: u32::try_from(weight).unwrap_or(u32::MAX),
            stored: Instant::now(),
            mark,
        };
        self.inner.local.insert(rendered, entry).await;
    }

    /// Forgets `what` here and in Redis, and tells every other instance through `NOTIFY` on
    /// `db`. Pass the writer's transaction: the other instances then hear of it at commit.
    pub async fn invalidate<'e>(
        &self,
        db: impl PgExecutor<'e>,
        what: Invalidation,
    ) -> Result<(), sqlx::Error> {
        self.apply(&what).await;
        notify(db, &what).await
    }

    /// Applies an invalidation to this instance (and to Redis): the listener's half of `invalidate`.
    pub async fn apply(&self, what: &Invalidation) {
        self.inner.epoch.fetch_add(1, Ordering::AcqRel);
        let prefixes = what.prefixes();
        match what {
            Invalidation::Key { key } => self.inner.local.invalidate(key).await,
            Invalidation::Namespace { .. } | Invalidation::Items { .. } => {
                let prefixes = prefixes.clone();
                let sparing = what.sparing().map(str::to_owned);
                // Only fails when the builder did not enable closures, which `from_config` does.
                let _ = self
                    .inner
                    .local
                    .invalidate_entries_if(move |key, entry: &LocalEntry| {
                        covered_by(&prefixes, key)
                            && (sparing.is_none() || entry.mark != sparing.as_deref())
                    });
            }
        }
        match &self.inner.backend {
            Backend::InProcess(cache) => match what {
                Invalidation::Key { key } => cache.invalidate(key).await,
                Invalidation::Namespace { .. } | Invalidation::Items { .. } => {
                    // moka's predicate invalidation needs a builder flag; entries are few, scan them.
                    let doomed: Vec<Arc<String>> = cache
                        .iter()
                        .filter(|(key, _)| covered_by(&prefixes, key))
                        .map(|(key, _)| key)
                        .collect();
                    for key in doomed {
                        cache.invalidate(key.as_str()).await;
                    }
                }
            },
            Backend::Redis(redis) => match what {
                Invalidation::Key { key } => redis.delete(key).await,
                Invalidation::Namespace { .. } | Invalidation::Items { .. } => {
                    for prefix in &prefixes {
                        redis.delete_prefix(prefix).await;
                    }
                }
            },
        }
        let hooks: Vec<Hook> = match self.inner.hooks.read() {
            Ok(hooks) => hooks
                .iter()
                .filter(|(namespace, _)| namespace == what.namespace_name())
                .map(|(_, hook)| hook.clone())
                .collect(),
            Err(_) => Vec::new(),
        };
        for hook in hooks {
            hook(what);
        }
    }

    /// Forgets everything this instance holds in memory (after the invalidation listener lost its
    /// connection and may have missed messages). Redis is flushed of our prefix before next use.
    pub async fn forget_local(&self) {
        self.inner.epoch.fetch_add(1, Ordering::AcqRel);
        self.inner.local.invalidate_all();
        match &self.inner.backend {
            Backend::InProcess(cache) => cache.invalidate_all(),
            Backend::Redis(redis) => redis.needs_flush.store(true, Ordering::Release),
        }
        let hooks: Vec<Hook> = match self.inner.hooks.read() {
            Ok(hooks) => hooks.iter().map(|(_, hook)| hook.clone()).collect(),
            Err(_) => Vec::new(),
        };
        let everything = Invalidation::namespace("*", None);
        for hook in hooks {
            hook(&everything);
        }
    }

    /// Runs `hook` whenever an invalidation of `namespace` is applied on this instance (and
    /// whenever everything is forgotten). For caches kept elsewhere, e.g. signing-key statuses.
    pub fn on_invalidation(
        &self,
        namespace: &str,
        hook: impl Fn(&Invalidation) + Send + Sync + 'static,
    ) {
        if let Ok(mut hooks) = self.inner.hooks.write() {
            hooks.push((namespace.to_owned(), Arc::new(hook)));
        }
    }

    /// Readiness: the in-process cache cannot be down; Redis must answer PING in time.
    pub async fn check(&self) -> Result<(), String> {
        match &self.inner.backend {
            Backend::InProcess(_) => Ok(()),
            Backend::Redis(redis) => redis.ping().await,
        }
    }

    /// Whether Redis is currently used (false while it is down or being flushed after an outage).
    pub fn redis_usable(&self) -> bool {
        match &self.inner.backend {
            Backend::InProcess(_) => true,
            Backend::Redis(redis) => redis.healthy.load(Ordering::Acquire),
        }
    }
}

/// `Cache::invalidate` when the writer holds this instance's cache, otherwise only the
/// notification (which every instance, this one included, applies when it arrives).
pub async fn invalidate_with<'e>(
    cache: Option<&Cache>,
    db: impl PgExecutor<'e>,
    what: Invalidation,
) -> Result<(), sqlx::Error> {
    match cache {
        Some(cache) => cache.invalidate(db, what).await,
        None => notify(db, &what).await,
    }
}

/// Sends one invalidation to every instance (delivered at commit when `db` is a transaction).
pub async fn notify<'e>(db: impl PgExecutor<'e>, what: &Invalidation) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_string(what).map_err(|err| sqlx::Error::Encode(Box::new(err)))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(INVALIDATION_CHANNEL)
        .bind(payload)
        .execute(db)
        .await?;
    Ok(())
}

/// Listens for invalidations from every instance (this one included) until the pool closes or
/// `shutdown` fires. A lost connection may have dropped messages, so it forgets everything local.
pub fn spawn_invalidation_listener(
    cache: Cache,
    pool: PgPool,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(listener) => listener,
                Err(err) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %err, "cache invalidation listener cannot connect; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                        () = crate::jobs::until_stopped(&mut shutdown) => return,
                    }
                }
            };
            if let Err(err) = listener.listen(INVALIDATION_CHANNEL).await {
                tracing::warn!(error = %err, "cache invalidation listener cannot LISTEN; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            // Anything cached before we listened may have missed an invalidation.
            cache.forget_local().await;
            loop {
                let next = tokio::select! {
                    next = listener.try_recv() => next,
                    () = crate::jobs::until_stopped(&mut shutdown) => return,
                };
                match next {
                    Ok(Some(notification)) => {
                        match serde_json::from_str::<Invalidation>(notification.payload()) {
                            Ok(what) => cache.apply(&what).await,
                            Err(err) => {
                                tracing::warn!(error = %err, "unreadable cache invalidation; forgetting everything");
                                cache.forget_local().await;
                            }
                        }
                    }
                    Ok(None) => {
                        tracing::warn!(
                            "cache invalidation listener reconnected; forgetting everything"
                        );
                        cache.forget_local().await;
                    }
                    Err(err) => {
                        if pool.is_closed() {
                            return;
                        }
                        tracing::warn!(error = %err, "cache invalidation listener failed; reconnecting");
                        cache.forget_local().await;
                        break;
                    }
                }
            }
        }
    })
}

struct RedisBackend {
    client: redis::Client,
    connection: RwLock<Option<ConnectionManager>>,
    /// Reads and writes go to Redis only while this is set.
    healthy: AtomicBool,
    /// A delete may have been lost: flush our prefix before using Redis again.
    needs_flush: AtomicBool,
    prefix: String,
    timeout: Duration,
    last_error: std::sync::Mutex<Option<String>>,
}

impl RedisBackend {
    fn full_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn connection(&self) -> Option<ConnectionManager> {
        self.connection.read().await.clone()
    }

    fn failed(&self, what: &str, err: &str) {
        if self.healthy.swap(false, Ordering::AcqRel) {
            tracing::warn!(error = %err, operation = what, "Redis failed; serving from the database until it is back");
        }
        self.needs_flush.store(true, Ordering::Release);
        crate::metrics::cache_redis_up(false);
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(err.to_owned());
        }
    }

    async fn run<T>(
        &self,
        what: &str,
        command: impl Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        match tokio::time::timeout(self.timeout, command).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(err)) => {
                self.failed(what, &err.to_string());
                None
            }
            Err(_) => {
                self.failed(
                    what,
                    &format!("no answer within {} ms", self.timeout.as_millis()),
                );
                None
            }
        }
    }

    async fn get(&self, key: &str) -> Option<Bytes> {
        if !self.healthy.load(Ordering::Acquire) {
            return None;
        }
        let mut conn = self.connection().await?;
        let full = self.full_key(key);
        let value: Option<Vec<u8>> = self.run("GET", conn.get(full)).await?;
        value.map(Bytes::from)
    }

    async fn put(&self, key: &str, value: Bytes, ttl: Duration) {
        if !self.healthy.load(Ordering::Acquire) {
            return;
        }
        let Some(mut conn) = self.connection().await else {
            return;
        };
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let full = self.full_key(key);
        let _: Option<()> = self
            .run("SET", conn.pset_ex(full, value.to_vec(), millis))
            .await;
    }

    async fn delete(&self, key: &str) {
        if !self.healthy.load(Ordering::Acquire) {
            // Lost: the flush before Redis is used again covers it.
            self.needs_flush.store(true, Ordering::Release);
            return;
        }
        let Some(mut conn) = self.connection().await else {
            self.needs_flush.store(true, Ordering::Release);
            return;
        };
        let full = self.full_key(key);
        let _: Option<i64> = self.run("DEL", conn.del(full)).await;
    }

    async fn delete_prefix(&self, prefix: &str) {
        if !self.healthy.load(Ordering::Acquire) {
            self.needs_flush.store(true, Ordering::Release);
            return;
        }
        if let Err(err) = self.unlink_matching(&self.full_key(prefix)).await {
            self.failed("SCAN/UNLINK", &err);
        }
    }

    /// Deletes every key starting with `prefix` (SCAN + UNLINK, never KEYS).
    async fn unlink_matching(&self, prefix: &str) -> Result<(), String> {
        let mut conn = self
            .connection()
            .await
            .ok_or_else(|| "not connected".to_owned())?;
        let pattern = format!("{}*", escape_glob(prefix));
        let mut cursor: u64 = 0;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500);
            let step = scan.query_async::<(u64, Vec<String>)>(&mut conn);
            let (next, keys) = tokio::time::timeout(self.timeout * 4, step)
                .await
                .map_err(|_| "SCAN timed out".to_owned())?
                .map_err(|err| err.to_string())?;
            if !keys.is_empty() {
                let mut command = redis::cmd("UNLINK");
                command.arg(&keys);
                let unlink = command.query_async::<i64>(&mut conn);
                tokio::time::timeout(self.timeout * 4, unlink)
                    .await
                    .map_err(|_| "UNLINK timed out".to_owned())?
                    .map_err(|err| err.to_string())?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }

    async fn ping(&self) -> Result<(), String> {
        let Some(mut conn) = self.connection().await else {
            let last = self.last_error.lock().ok().and_then(|last| last.clone());
            return Err(format!(
                "not connected: {}",
                last.unwrap_or_else(|| "connecting".to_owned())
            ));
        };
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut conn);
        match tokio::time::timeout(self.timeout.max(Duration::from_millis(500)), ping).await {
            Ok(Ok(_)) => {
                if self.healthy.load(Ordering::Acquire) {
                    Ok(())
                } else {
                    Err("answering again; rejoining after flushing stale entries".to_owned())
                }
            }
            Ok(Err(err)) => Err(err.to_string()),
            Err(_) => Err("no answer to PING in time".to_owned()),
        }
    }
}

/// Escapes Redis glob characters so a prefix matches literally.
fn escape_glob(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Keeps the Redis connection alive: connects (retrying), and after any failure waits until
/// Redis answers, flushes our prefix (deletes may have been lost meanwhile), then resumes using it.
/// Ends when the cache is dropped.
async fn supervise_redis(redis: std::sync::Weak<RedisBackend>) {
    loop {
        let Some(backend) = redis.upgrade() else {
            return;
        };
        if backend.connection.read().await.is_none() {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Duration::from_secs(2))
                .set_response_timeout(backend.timeout.max(Duration::from_millis(500)))
                .set_number_of_retries(1)
                .set_max_delay(1000);
            match ConnectionManager::new_with_config(backend.client.clone(), config).await {
                Ok(conn) => {
                    *backend.connection.write().await = Some(conn);
                    tracing::info!("connected to Redis");
                }
                Err(err) => backend.failed("connect", &err.to_string()),
            }
        }
        if backend.connection.read().await.is_some() && !backend.healthy.load(Ordering::Acquire) {
            let answered = match backend.connection().await {
                Some(mut conn) => {
                    let command = redis::cmd("PING");
                    let ping = command.query_async::<String>(&mut conn);
                    matches!(
                        tokio::time::timeout(Duration::from_secs(1), ping).await,
                        Ok(Ok(_))
                    )
                }
                None => false,
            };
            if answered {
                let flushed = if backend.needs_flush.load(Ordering::Acquire) {
                    let prefix = backend.prefix.clone();
                    backend.unlink_matching(&prefix).await
                } else {
                    Ok(())
                };
                match flushed {
                    Ok(()) => {
                        backend.needs_flush.store(false, Ordering::Release);
                        backend.healthy.store(true, Ordering::Release);
                        crate::metrics::cache_redis_up(true);
                        if let Ok(mut last) = backend.last_error.lock() {
                            *last = None;
                        }
                        tracing::info!("Redis is answering; cache back in use");
                    }
                    Err(err) => backend.failed("flush", &err),
                }
            }
        } else if backend.healthy.load(Ordering::Acquire)
            && let Some(mut conn) = backend.connection().await
        {
            // Notice an outage even when nobody reads.
            let command = redis::cmd("PING");
            let ping = command.query_async::<String>(&mut conn);
            match tokio::time::timeout(Duration::from_secs(1), ping).await {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => backend.failed("PING", &err.to_string()),
                Err(_) => backend.failed("PING", "no answer within 1 s"),
            }
        }
        let pause = if backend.healthy.load(Ordering::Acquire) {
            Duration::from_secs(2)
        } else {
            Duration::from_millis(250)
        };
        drop(backend);
        tokio::time::sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn invalidation_prefixes() {
        let key = CacheKey::new("auth.keys", Some("acme"), "k1");
        assert_eq!(key.render(), "auth.keys/acme/k1");
        assert_eq!(Invalidation::key(&key).prefixes(), ["auth.keys/acme/k1"]);
        assert_eq!(
            Invalidation::namespace("auth.keys", Some("acme")).prefixes(),
            ["auth.keys/acme/"]
        );
        let items = Invalidation::items(
            "perm",
            "acme",
            vec!["visible:task@".into(), "levels:".into()],
            Some("dense"),
        );
        assert_eq!(
            items.prefixes(),
            ["perm/acme/visible:task@", "perm/acme/levels:"]
        );
        assert_eq!(items.namespace_name(), "perm");
        assert_eq!(Invalidation::key(&key).namespace_name(), "auth.keys");
        for what in [Invalidation::namespace("x", None), items] {
            let json = serde_json::to_string(&what).unwrap();
            assert_eq!(serde_json::from_str::<Invalidation>(&json).unwrap(), what);
        }
        assert_eq!(escape_glob("a*b[c]"), "a\\*b\\[c\\]");
    }

    #[tokio::test]
    async fn an_entry_due_for_a_refresh_is_reloaded_by_one_reader_while_the_others_use_it() {
        let mut cache = Cache::from_config(&Config::default()).unwrap();
        Arc::get_mut(&mut cache.inner).unwrap().refresh_after = Duration::from_millis(100);
        let key = CacheKey::new("test.items", Some("acme"), "k");
        let loads = AtomicU64::new(0);
        let load = |pause: u64| {
            let (cache, key, loads) = (&cache, &key, &loads);
            async move {
                let value = cache
                    .load_local(
                        key,
                        |_: &u64| 8,
                        async || {
                            let n = loads.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(pause)).await;
                            Ok::<_, ()>(n)
                        },
                    )
                    .await
                    .unwrap();
                *value
            }
        };
        assert_eq!(load(0).await, 0);
        assert_eq!(load(0).await, 0, "fresh: used as stored");
        tokio::time::sleep(Duration::from_millis(150)).await;
        // Due: the first reader reloads it (slowly); a reader meanwhile gets the stored value
        // at once instead of waiting or loading too.
        let reloading = load(2_000);
        tokio::pin!(reloading);
        assert!(
            tokio::time::timeout(Duration::from_millis(50), &mut reloading)
                .await
                .is_err()
        );
        let meanwhile = tokio::time::timeout(Duration::from_millis(1_000), load(0)).await;
        assert_eq!(
            meanwhile,
            Ok(0),
            "not blocked by the refresh, and no second load"
        );
        assert_eq!(reloading.await, 1);
        assert_eq!(load(0).await, 1, "the refreshed value is stored");
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        assert!(cache.inner.loading.0.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn load_gates_are_shared_while_held_and_forgotten_after() {
        let gates = LoadGates::default();
        let first = gates.turn("k").await;
        // A second caller of the same key waits for the first's turn.
        let second = gates.turn("k");
        tokio::pin!(second);
        assert!(
            tokio::time::timeout(Duration::from_millis(20), &mut second)
                .await
                .is_err(),
            "the key is being loaded"
        );
        drop(first);
        let second = second.await;
        assert_eq!(gates.0.lock().unwrap().len(), 1, "held by the second");
        drop(second);
        assert!(gates.0.lock().unwrap().is_empty(), "no gate is left behind");
        drop(gates.turn("other").await);
        assert!(gates.0.lock().unwrap().is_empty());
    }
}
