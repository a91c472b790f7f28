//! Ferry: an FTPS client that connects where others fail.
//!
//! Layers, lowest first (see DESIGN.md): `ftp` is the protocol engine and knows nothing above it;
//! `tls` builds rustls configurations and verifies certificates; `sites` holds connection
//! targets (URLs for now); `cli` is the command-line front end.
#![forbid(unsafe_code)]

pub mod cli;
pub mod ftp;
pub mod paths;
pub mod persist;
pub mod sites;
pub mod tls;
pub mod transfer;
