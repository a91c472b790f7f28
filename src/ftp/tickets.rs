//! The TLS session store of one FTP session: where the control connection's TLS session and
//! tickets wait for the data connections that must resume them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rustls::NamedGroup;
use rustls::client::{
    ClientSessionMemoryCache, ClientSessionStore, Tls12ClientSessionValue, Tls13ClientSessionValue,
};
use rustls::pki_types::ServerName;

use super::log::{LogKind, ProtocolLog};

/// A per-session store that logs the TLS 1.3 tickets coming and going, so a data connection
/// that could not resume can be explained in the protocol log.
pub(crate) struct SessionTickets {
    inner: ClientSessionMemoryCache,
    held: AtomicUsize,
    log: Arc<dyn ProtocolLog>,
}

impl std::fmt::Debug for SessionTickets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTickets")
            .field("tls13_tickets", &self.tls13_tickets())
            .finish_non_exhaustive()
    }
}

impl SessionTickets {
    pub(crate) fn new(log: Arc<dyn ProtocolLog>) -> Self {
        SessionTickets {
            inner: ClientSessionMemoryCache::new(16),
            held: AtomicUsize::new(0),
            log,
        }
    }

    /// How many TLS 1.3 tickets are waiting to be used.
    pub(crate) fn tls13_tickets(&self) -> usize {
        self.held.load(Ordering::Relaxed)
    }
}

impl ClientSessionStore for SessionTickets {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.inner.set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.inner.kx_hint(server_name)
    }

    fn set_tls12_session(&self, server_name: ServerName<'static>, value: Tls12ClientSessionValue) {
        self.inner.set_tls12_session(server_name, value);
    }

    fn tls12_session(&self, server_name: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        self.inner.tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.inner.remove_tls12_session(server_name);
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: Tls13ClientSessionValue,
    ) {
        let held = (self.held.load(Ordering::Relaxed) + 1).min(8);
        self.held.store(held, Ordering::Relaxed);
        self.log.log(
            LogKind::Info,
            &format!("TLS session ticket received ({held} held)"),
        );
        self.inner.insert_tls13_ticket(server_name, value);
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<Tls13ClientSessionValue> {
        let ticket = self.inner.take_tls13_ticket(server_name);
        if ticket.is_some() {
            let held = self.held.load(Ordering::Relaxed).saturating_sub(1);
            self.held.store(held, Ordering::Relaxed);
        }
        ticket
    }
}
