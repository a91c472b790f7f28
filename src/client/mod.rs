//! Connecting to a server, the same way for the window and the command line: what to connect
//! to ([`ConnectRequest`]), how ([`Endpoint`] → `ftp::ConnectOptions`), and [`dial`], which
//! connects, settles the certificate with the user through [`Decisions`], reads the password
//! from the keychain (or asks), logs in and hands back the first session together with a
//! [`Connector`](crate::transfer::Connector) for the transfer workers.
//!
//! Below the front ends, above `ftp/`, `tls/`, `sites/` and `transfer/`: it names no egui and
//! no terminal. The front ends differ only in how they answer [`Decisions`].

mod dial;
pub mod doctor;
mod endpoint;
mod request;

pub use dial::{
    ConnectError, Decisions, Dialled, PasswordNeeded, SecurityInfo, dial, migrate_queue_file,
    reuse_first,
};
pub use endpoint::Endpoint;
pub use request::{ConnectRequest, Login};
