//! Site passwords in the OS keychain: Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows, through keyring-core. One entry per site, keyed by the site's path.
//!
//! Every call may block (D-Bus, a keychain unlock prompt): never call it on the UI thread.
//! Passwords never go anywhere else: not the site file, not a log, not an error message.

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Error as KeyringError};

/// The keychain service name of every Ferry entry; the account is the site's path.
pub const SERVICE: &str = "Ferry FTPS client";

/// The keychain account of a proxy's password: one per proxy and user, shared by every site
/// that uses the proxy. No site path looks like this (it would need an empty folder name).
pub fn proxy_account(proxy: &crate::ftp::Proxy) -> String {
    let mut without_password = proxy.clone();
    without_password.password = None;
    format!("proxy: {without_password}")
}

/// Where a proxy's password comes from when its URL has none: `FERRY_PROXY_PASSWORD`, then
/// the keychain entry of [`proxy_account`]. A proxy without a user needs none.
pub fn fill_proxy_password(proxy: &mut crate::ftp::Proxy, keychain: &Keychain) {
    if proxy.user.is_none() || proxy.password.is_some() {
        return;
    }
    if let Ok(password) = std::env::var("FERRY_PROXY_PASSWORD") {
        proxy.password = Some(password);
        return;
    }
    if keychain.is_available()
        && let Ok(Some(password)) = keychain.get(&proxy_account(proxy))
    {
        proxy.password = Some(password);
    }
}

/// The keychain account of a PKCS#12 client certificate's password: one per file (by its
/// absolute path), shared by every site that presents it. No site path looks like this.
pub fn client_cert_account(cert_file: &std::path::Path) -> String {
    let absolute = std::path::absolute(cert_file).unwrap_or_else(|_| cert_file.to_owned());
    format!("client certificate: {}", absolute.display())
}

/// Where a PKCS#12 certificate's password comes from when none is set:
/// `FERRY_CERT_PASSWORD`, then the keychain entry of [`client_cert_account`]. Only a file that
/// needs one is looked up (a PEM file or an export without a password needs none).
pub fn fill_cert_password(identity: &mut crate::tls::ClientIdentity, keychain: &Keychain) {
    if !identity.needs_password() {
        return;
    }
    if let Ok(password) = std::env::var("FERRY_CERT_PASSWORD") {
        identity.password = Some(password);
        return;
    }
    if keychain.is_available()
        && let Ok(Some(password)) = keychain.get(&client_cert_account(&identity.cert_file))
    {
        identity.password = Some(password);
    }
}

/// Why a password could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// There is no keychain to use (no Secret Service running, no session bus, ...).
    #[error("passwords cannot be saved on this computer: {0}")]
    Unavailable(String),
    /// The keychain refused or failed (locked, access denied, ...).
    #[error("the keychain failed: {0}")]
    Keychain(String),
}

/// The OS keychain, or the reason there is none.
#[derive(Clone)]
pub struct Keychain {
    store: Result<Arc<CredentialStore>, String>,
}

impl fmt::Debug for Keychain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.store {
            Ok(store) => write!(f, "Keychain({})", store.vendor()),
            Err(reason) => write!(f, "Keychain(unavailable: {reason})"),
        }
    }
}

impl Keychain {
    /// The platform's keychain, checked with a harmless lookup so that "unavailable" is known
    /// up front (and the user told that passwords cannot be saved) rather than at first save.
    /// `FERRY_NO_KEYCHAIN=1` turns it off (portable installs, and tests that must never touch
    /// the keychain of the person running them).
    pub fn platform() -> Keychain {
        if std::env::var_os("FERRY_NO_KEYCHAIN").is_some_and(|v| !v.is_empty() && v != "0") {
            return Keychain::unavailable("the keychain is turned off (FERRY_NO_KEYCHAIN)");
        }
        let keychain = match platform_store() {
            Ok(store) => Keychain::with_store(store),
            Err(reason) => Keychain::unavailable(reason),
        };
        match keychain.get("(availability check)") {
            Ok(_) => keychain,
            Err(e) => Keychain::unavailable(e.to_string()),
        }
    }

    /// A keychain backed by `store` (tests use `keyring_core::mock::Store`).
    pub fn with_store(store: Arc<CredentialStore>) -> Keychain {
        Keychain { store: Ok(store) }
    }

    /// No keychain, for this reason.
    pub fn unavailable(reason: impl Into<String>) -> Keychain {
        Keychain {
            store: Err(reason.into()),
        }
    }

    /// Whether passwords can be saved.
    pub fn is_available(&self) -> bool {
        self.store.is_ok()
    }

    /// Why passwords cannot be saved, if they cannot.
    pub fn unavailable_reason(&self) -> Option<&str> {
        self.store.as_ref().err().map(String::as_str)
    }

    /// The saved password of a site, if any.
    pub fn get(&self, site_path: &str) -> Result<Option<String>, SecretError> {
        match self.entry(site_path)?.get_password() {
            Ok(password) => Ok(Some(password)),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    /// Saves (or replaces) the password of a site.
    pub fn set(&self, site_path: &str, password: &str) -> Result<(), SecretError> {
        self.entry(site_path)?
            .set_password(password)
            .map_err(classify)
    }

    /// Removes the password of a site; nothing saved is not an error.
    pub fn delete(&self, site_path: &str) -> Result<(), SecretError> {
        match self.entry(site_path)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }

    /// Moves a site's password when the site is renamed or moved to another folder.
    pub fn rename(&self, old_path: &str, new_path: &str) -> Result<(), SecretError> {
        if old_path == new_path {
            return Ok(());
        }
        if let Some(password) = self.get(old_path)? {
            self.set(new_path, &password)?;
            self.delete(old_path)?;
        }
        Ok(())
    }

    fn entry(&self, site_path: &str) -> Result<keyring_core::Entry, SecretError> {
        let store = self
            .store
            .as_ref()
            .map_err(|reason| SecretError::Unavailable(reason.clone()))?;
        store.build(SERVICE, site_path, None).map_err(classify)
    }
}

/// Sorts keyring errors into "there is no keychain" and "the keychain failed". Messages come
/// from the platform and never contain the secret.
fn classify(e: KeyringError) -> SecretError {
    match e {
        KeyringError::NoStorageAccess(inner) => SecretError::Unavailable(inner.to_string()),
        KeyringError::NoDefaultStore => SecretError::Unavailable("no keychain is set up".into()),
        KeyringError::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        other => SecretError::Keychain(other.to_string()),
    }
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    zbus_secret_service_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| {
            format!("no Secret Service (GNOME Keyring, KWallet, KeePassXC) is reachable: {e}")
        })
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| e.to_string())
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| e.to_string())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    Err("this platform has no supported keychain".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyring_core::api::CredentialStoreApi;

    fn mock() -> Keychain {
        Keychain::with_store(keyring_core::mock::Store::new().unwrap())
    }

    #[test]
    fn set_get_rename_delete() {
        let k = mock();
        assert!(k.is_available());
        assert_eq!(k.get("Work/Acme").unwrap(), None);
        k.set("Work/Acme", "hunter2").unwrap();
        assert_eq!(k.get("Work/Acme").unwrap().as_deref(), Some("hunter2"));
        k.rename("Work/Acme", "Clients/Acme").unwrap();
        assert_eq!(k.get("Work/Acme").unwrap(), None);
        assert_eq!(k.get("Clients/Acme").unwrap().as_deref(), Some("hunter2"));
        k.delete("Clients/Acme").unwrap();
        assert_eq!(k.get("Clients/Acme").unwrap(), None);
        k.delete("Clients/Acme").unwrap();
    }

    #[test]
    fn unavailable_keychain_says_why_and_never_panics() {
        let k = Keychain::unavailable("no Secret Service");
        assert!(!k.is_available());
        let err = k.set("a", "secret-value").unwrap_err().to_string();
        assert!(err.contains("cannot be saved") && err.contains("no Secret Service"));
        assert!(!err.contains("secret-value"));
        assert!(k.get("a").is_err());
        assert!(!format!("{k:?}").contains("secret"));
    }

    #[test]
    fn keychain_failures_are_errors_without_the_secret() {
        let store = keyring_core::mock::Store::new().unwrap();
        let k = Keychain::with_store(store.clone());
        k.set("s", "topsecret").unwrap();
        let entry = store.build(SERVICE, "s", None).unwrap();
        let cred: &keyring_core::mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(KeyringError::NoStorageAccess(Box::new(
            std::io::Error::other("locked"),
        )));
        let err = k.get("s").unwrap_err();
        assert!(matches!(err, SecretError::Unavailable(_)), "{err}");
        assert!(!err.to_string().contains("topsecret"));
    }
}
