//! # xmppkit-session
//!
//! Sans-IO XMPP c2s session state machines, client ([`ClientSession`]) and server
//! ([`ServerSession`]), in the quinn-proto / str0m shape: no sockets, no threads, no clock, no RNG.
//! Bytes, time and randomness come in as arguments; bytes, events and the next deadline come out.
//!
//! The run loop, the same for both roles:
//!
//! 1. `poll_transmit()` until `None`: write the bytes to the socket;
//! 2. `poll_event()` until `None`: act on each event (`StartTls`: upgrade the socket and call
//!    `tls_established(now)`; `BindRequest`: call `bind(..)`; stanzas: route them);
//! 3. wait until `poll_timeout()` or until bytes arrive; call `handle_timeout(now)` or
//!    `handle_input(&bytes, now)`; go to 1.
//!
//! After any call, draining the outputs leaves the machine consistent; calls in between are fine.
//!
//! XEP-0198 stream management is built in and on by default in both roles (see
//! [`ClientConfig::stream_management`], [`ServerConfig::stream_management`]): when a connection
//! dies, call `connection_lost` (client) or `detach` (server) to keep the stream resumable; the
//! pieces that outlive a connection are in `xmppkit-sm`.
//!
//! The login: RFC 6120 SASL and resource binding, and XEP-0388 SASL2 with XEP-0386 Bind 2 where
//! both sides have it (on by default: [`ClientConfig::sasl2`], [`ServerConfig::sasl2`]), with
//! SCRAM-SHA-1/256/512 and their `-PLUS` forms bound to the TLS channel ([`scram`]), XEP-0474
//! downgrade protection, XEP-0484 FAST tokens ([`ht`], [`ClientToken`], [`FastToken`]) and
//! XEP-0388 tasks after the mechanism ([`tasks`], [`TaskStep`]). The example below logs in with
//! SASL2, Bind 2 binding the resource in the same round trip.
//!
//! ```
//! use std::{sync::Arc, time::Instant};
//! use xmppkit_jid::BareJid;
//! use xmppkit_session::*;
//!
//! let now = Instant::now();
//! let mut users = MemoryCredentials::default();
//! users.add_user("juliet", "r0m30", b"salt", 4096);
//! let mut server_config = ServerConfig::new(BareJid::new("example.com").unwrap());
//! server_config.tls = ServerTls::Unavailable;
//! let mut n = 0;
//! let mut server = ServerSession::new(server_config, Arc::new(users), Box::new(move || { n += 1; format!("rnd{n}") }), now);
//! let mut client_config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "r0m30");
//! client_config.tls = TlsPolicy::Off;
//! let mut client = ClientSession::new(client_config, "client-nonce", now);
//!
//! // Shuttle bytes until both sides are quiet; answer the bind request.
//! loop {
//!     let mut moved = false;
//!     while let Some(bytes) = client.poll_transmit() { server.handle_input(&bytes, now); moved = true; }
//!     while let Some(bytes) = server.poll_transmit() { client.handle_input(&bytes, now); moved = true; }
//!     while let Some(event) = server.poll_event() {
//!         if let ServerEvent::BindRequest { resource } = event {
//!             server.bind(resource.as_deref().unwrap_or("phone"));
//!         }
//!         moved = true;
//!     }
//!     if !moved { break; }
//! }
//! assert!(client.is_online());
//! assert_eq!(client.jid().unwrap().to_string(), "juliet@example.com/phone");
//! ```
#![forbid(unsafe_code)]

pub mod bind;
mod client;
mod config;
mod credentials;
mod error;
mod features;
pub mod ht;
mod iq_tracker;
pub mod sasl2;
pub mod scram;
mod server;
pub mod tasks;
mod transport;

pub use client::{ClientEvent, ClientSession, ClientToken, SendError};
pub use config::{ClientConfig, Timeouts, TlsPolicy};
pub use credentials::{CredentialError, CredentialStore, MemoryCredentials};
pub use error::SessionError;
pub use server::{
    FastLogin, FastToken, Random, ServerConfig, ServerEvent, ServerSession, ServerTls, TaskStep,
    UsedToken,
};
