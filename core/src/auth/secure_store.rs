//! Where tokens live: the platform's secure storage, reached through a trait the apps implement.

use std::collections::HashMap;
use std::sync::Mutex;

/// The platform's secret storage, implemented by the apps (Keychain, Android Keystore).
/// Keys are namespaced per profile by the core.
pub trait SecureStore: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<String>, SecureStoreError>;
    fn set(&self, key: &str, value: &str) -> Result<(), SecureStoreError>;
    fn delete(&self, key: &str) -> Result<(), SecureStoreError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecureStoreError {
    /// Locked device, missing entitlement, Keystore failure… as the platform described it.
    #[error("archivio sicuro non disponibile: {reason}")]
    Unavailable { reason: String },
}

/// A [`SecureStore`] held in memory: for tests and the desktop demo, where it stands in for the
/// OS keychain. It forgets everything when dropped.
#[derive(Default)]
pub struct MemorySecureStore {
    secrets: Mutex<HashMap<String, String>>,
}

impl MemorySecureStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The keys currently held (never the values), so tests can check what a logout left.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .secrets
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, String>>, SecureStoreError> {
        self.secrets
            .lock()
            .map_err(|_| SecureStoreError::Unavailable {
                reason: "lock poisoned".to_owned(),
            })
    }
}

impl SecureStore for MemorySecureStore {
    fn get(&self, key: &str) -> Result<Option<String>, SecureStoreError> {
        Ok(self.lock()?.get(key).cloned())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), SecureStoreError> {
        self.lock()?.insert(key.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), SecureStoreError> {
        self.lock()?.remove(key);
        Ok(())
    }
}
