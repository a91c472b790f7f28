//! Where to connect: quick-connect URLs, saved site profiles, their passwords in the OS
//! keychain, and the FileZilla import.

pub mod filezilla;
pub mod model;
pub mod secrets;
pub mod store;
pub mod url;

pub use model::{Logon, MaxTls, MinTls, Site, SiteSecurity, TransferMode};
pub use secrets::{Keychain, SecretError};
pub use url::{FtpUrl, UrlError};
