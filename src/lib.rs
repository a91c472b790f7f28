//! Ferry: an FTPS client that connects where others fail.
//!
//! Layers, lowest first (see DESIGN.md): `ftp` is the protocol engine and knows nothing above it;
//! `tls` builds rustls configurations and verifies certificates; `sites` holds saved sites,
//! URLs and the keychain; `transfer` runs the queue and the browse worker; `connect` turns an
//! address and trust decisions into connection options; `cli` and `ui` are the two front ends.
#![forbid(unsafe_code)]

pub mod cli;
pub mod client;
pub mod ftp;
pub mod paths;
pub mod persist;
pub mod sites;
pub mod tls;
pub mod transfer;
#[cfg(feature = "gui")]
pub mod ui;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
