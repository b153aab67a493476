//! Application state, built in one place and shared by every handler.

use std::sync::Arc;

use axum::extract::FromRef;
use sqlx::PgPool;

use crate::auth::keys::SigningKeys;
use crate::auth::throttle::LoginThrottles;
use crate::cache::Cache;
use crate::config::Config;
use crate::entity::records::FieldKey;
use crate::jobs::mailer::Transport as MailTransport;
use crate::storage::Storage;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: PgPool,
    /// Statements whose generic plan is the right one (`db::cached_plan_pool`); `db` for the rest.
    #[from_ref(skip)]
    pub cached_plans: PgPool,
    pub config: Arc<Config>,
    pub storage: Storage,
    pub cache: Cache,
    pub keys: SigningKeys,
    pub throttle: Arc<LoginThrottles>,
    /// Encrypts sensitive columns (derived from the server secret).
    pub field_key: FieldKey,
    /// Where mail goes: SMTP or the development mailbox.
    pub mail: Arc<MailTransport>,
}

impl AppState {
    /// Wires the adapters chosen by configuration around the open pools.
    pub fn new(config: Config, db: PgPool, cached_plans: PgPool) -> anyhow::Result<AppState> {
        let storage = Storage::from_config(&config)?;
        let cache = Cache::from_config(&config)?;
        let keys = SigningKeys::from_config(&config)?;
        // Signing-key statuses are cached by `SigningKeys` itself; a rotation on any instance
        // reaches this one through the cache's invalidation channel.
        let forget_keys = keys.clone();
        cache.on_invalidation(crate::cache::SIGNING_KEYS, move |_| forget_keys.forget());
        let mail = MailTransport::from_config(&config)?;
        let throttle = Arc::new(LoginThrottles::from_config(&config)?);
        let field_key = FieldKey(keys.field_encryption_key());
        Ok(AppState {
            db,
            cached_plans,
            config: Arc::new(config),
            storage,
            cache,
            keys,
            throttle,
            field_key,
            mail,
        })
    }
}
