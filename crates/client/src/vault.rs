//! The one module that touches the OS keychain. It keeps, per account, the
//! session token and the cache's encryption key, and hands them only to this
//! crate: no public method returns a secret. When no keychain is usable
//! (say, Linux without a Secret Service on the session bus) it says so with
//! [`VaultStatus::Unavailable`] and keeps secrets in memory for this process
//! only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sensitive::Sensitive;

/// Where secrets live; the UI shows a notice for `Unavailable`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VaultStatus {
    /// Secrets are in the OS keychain and survive a restart.
    Keychain,
    /// No usable keychain: secrets and the cache last only for this session.
    Unavailable { reason: String },
}

/// The kinds of secret kept per account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SecretKind {
    SessionToken,
    CacheKey,
}

impl SecretKind {
    fn prefix(self) -> &'static str {
        match self {
            SecretKind::SessionToken => "session-token",
            SecretKind::CacheKey => "cache-key",
        }
    }
}

#[derive(Clone)]
pub struct Vault {
    service: String,
    status: VaultStatus,
    memory: Arc<Mutex<HashMap<String, Sensitive<String>>>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("service", &self.service).field("status", &self.status).finish_non_exhaustive()
    }
}

impl Vault {
    /// Opens the keychain under `service` (e.g. "orgdesk"), probing it once.
    pub(crate) async fn open(service: &str) -> Vault {
        let probe_service = service.to_owned();
        let status = tokio::task::spawn_blocking(move || probe(&probe_service))
            .await
            .unwrap_or_else(|e| VaultStatus::Unavailable { reason: format!("keychain probe failed: {e}") });
        if let VaultStatus::Unavailable { reason } = &status {
            tracing::warn!(%reason, "no usable keychain: secrets stay in memory for this session");
        }
        Vault { service: service.to_owned(), status, memory: Default::default() }
    }

    /// A vault that never touches the keychain, as when none is usable.
    pub(crate) fn in_memory(reason: &str) -> Vault {
        Vault {
            service: "orgdesk".into(),
            status: VaultStatus::Unavailable { reason: reason.into() },
            memory: Default::default(),
        }
    }

    pub fn status(&self) -> &VaultStatus {
        &self.status
    }

    pub(crate) fn is_persistent(&self) -> bool {
        self.status == VaultStatus::Keychain
    }

    pub(crate) async fn get(&self, account: &str, kind: SecretKind) -> Result<Option<Sensitive<String>>> {
        let name = entry_name(account, kind);
        if !self.is_persistent() {
            return Ok(self.memory().get(&name).cloned());
        }
        let service = self.service.clone();
        blocking(move || match keyring::Entry::new(&service, &name)?.get_password() {
            Ok(secret) => Ok(Some(Sensitive::new(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    pub(crate) async fn set(&self, account: &str, kind: SecretKind, secret: &Sensitive<String>) -> Result<()> {
        let name = entry_name(account, kind);
        if !self.is_persistent() {
            self.memory().insert(name, secret.clone());
            return Ok(());
        }
        let service = self.service.clone();
        let secret = secret.clone();
        blocking(move || keyring::Entry::new(&service, &name)?.set_password(secret.expose())).await
    }

    /// Deleting what is not there is not an error.
    pub(crate) async fn delete(&self, account: &str, kind: SecretKind) -> Result<()> {
        let name = entry_name(account, kind);
        if !self.is_persistent() {
            self.memory().remove(&name);
            return Ok(());
        }
        let service = self.service.clone();
        blocking(move || match keyring::Entry::new(&service, &name)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
        .await
    }

    fn memory(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sensitive<String>>> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn entry_name(account: &str, kind: SecretKind) -> String {
    format!("{}:{account}", kind.prefix())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> keyring::Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Keychain(e.to_string()))?
        .map_err(|e| Error::Keychain(keychain_message(&e)))
}

/// A read of an entry that does not exist tells whether the keychain answers.
fn probe(service: &str) -> VaultStatus {
    let result = keyring::Entry::new(service, "probe").and_then(|entry| entry.get_password());
    match result {
        Ok(_) | Err(keyring::Error::NoEntry) => VaultStatus::Keychain,
        Err(e) => VaultStatus::Unavailable { reason: keychain_message(&e) },
    }
}

fn keychain_message(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(inner) => format!("the keychain service failed: {inner}"),
        keyring::Error::NoStorageAccess(inner) => format!("the keychain is not accessible: {inner}"),
        other => other.to_string(),
    }
}
