//! The FTP/FTPS protocol engine: blocking `std::net` + rustls, no threads, no UI.
//!
//! It knows nothing of sites, queues or windows. A caller builds [`ConnectOptions`] (with a
//! rustls `ClientConfig` from the `tls` layer), calls [`Session::connect`] and
//! [`Session::login`], and then drives commands and transfers on its own thread.

pub mod checksum;
pub mod data;
pub mod error;
pub mod features;
pub mod listing;
pub mod log;
pub mod path;
pub mod proxy;
pub mod reply;
pub mod session;
pub mod stream;
pub mod text;
mod tickets;

pub use data::DataMode;
pub use error::{ErrorClass, FtpError, RejectedCertificate, Result, TlsFailure};
pub use features::Features;
pub use listing::{Entry, EntryKind, Timestamp};
pub use log::{LogKind, MemoryLog, NullLog, ProtocolLog, StderrLog};
pub use proxy::{Proxy, ProxyKind};
pub use reply::Reply;
pub use session::{ConnectOptions, Credentials, Security, Session, TransferControl, UploadMode};
pub use stream::TlsInfo;
