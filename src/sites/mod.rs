//! Where to connect: quick-connect URLs now; saved site profiles and the keychain later.

pub mod url;

pub use url::{FtpUrl, UrlError};
