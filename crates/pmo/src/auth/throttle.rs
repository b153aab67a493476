//! Failed-login throttling. Failures are counted per client address and per account name (known or
//! not, so the answers cannot tell them apart) for the lockout window. A real account is also locked
//! in the database (`account_locked_until`), which every instance shares; the in-process counters
//! make several instances only as loose as their number.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::auth::password;
use crate::config::Config;

#[derive(Clone)]
pub struct LoginThrottles {
    pub per_ip: FailureCounter,
    pub per_account: FailureCounter,
    /// Verified against when the account does not exist, so that costs as much as a wrong password.
    pub dummy_hash: String,
}

impl LoginThrottles {
    pub fn from_config(config: &Config) -> anyhow::Result<LoginThrottles> {
        let window = Duration::from_secs(config.auth.lockout_secs);
        Ok(LoginThrottles {
            per_ip: FailureCounter::new(config.auth.max_failed_logins_per_ip, window),
            per_account: FailureCounter::new(config.auth.max_failed_logins, window),
            dummy_hash: password::hash_password(&crate::auth::tokens::random_token())?,
        })
    }
}

#[derive(Clone)]
pub struct FailureCounter {
    failures: moka::future::Cache<String, Arc<AtomicU32>>,
    max_failures: u32,
    window: Duration,
}

impl FailureCounter {
    pub fn new(max_failures: u32, window: Duration) -> FailureCounter {
        let failures = moka::future::Cache::builder()
            .max_capacity(100_000)
            .time_to_live(window)
            .build();
        FailureCounter {
            failures,
            max_failures,
            window,
        }
    }

    /// Seconds until `key` may try again, when it has failed too often.
    pub async fn retry_after(&self, key: &str) -> Option<u64> {
        let count = self
            .failures
            .get(key)
            .await
            .map_or(0, |c| c.load(Ordering::Relaxed));
        (count >= self.max_failures).then(|| self.window.as_secs().max(1))
    }

    pub async fn record_failure(&self, key: String) {
        let counter = self
            .failures
            .get_with(key, async { Arc::new(AtomicU32::new(0)) })
            .await;
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub async fn clear(&self, key: &str) {
        self.failures.invalidate(key).await;
    }
}
