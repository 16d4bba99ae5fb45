//! # xmppkit-server
//!
//! The sans-IO core of an XMPP server, in the quinn-proto shape: the application owns the
//! sockets, TLS and one [`ServerSession`](xmppkit_session::ServerSession) per connection, and
//! feeds the [`Server`] engine with what happens ([`Server::connect`], [`Server::handle_event`]
//! with each session event, [`Server::handle_disconnect`], [`Server::handle_written`],
//! [`Server::handle_timeout`]); it drains [`Server::poll_output`] (a stanza for a connection, or
//! a close) and waits until [`Server::poll_timeout`]. No sockets, threads, clock or RNG inside:
//! time comes in as [`Now`], randomness through a closure.
//!
//! The engine owns what a server does beyond the streams:
//! - the bound resources and detached XEP-0198 sessions, with the RFC 6120 §7.7.2.2 conflict
//!   policy ([`ResourceConflict`]);
//! - RFC 6121 §8 delivery to bare and full JIDs with priorities, and the errors it names;
//! - rosters (RFC 6121 §2) with versioning (XEP-0237) and the subscription state machine of
//!   Appendix A ([`subscription`]) with pre-approval, presence broadcast, probes, directed
//!   presence and unavailable presence when a resource goes;
//! - offline storage (XEP-0160) that answers the sender when full, blocking (XEP-0191),
//!   accounts as an API and XEP-0077 registration (off by default, rate-limited per address);
//! - Message Carbons, the users' MAM archives and PEP;
//! - components by domain ([`Component`]: MUC and PubSub plug in with adapters), and external
//!   ones on their links ([`Server::attach_component`], XEP-0114);
//! - federation: stanzas for other domains on links per (sending domain, remote domain) pair,
//!   waiting while a link is set up, bounced with `remote-server-not-found` / `-timeout` when it
//!   cannot be, never relayed ([`Output::Dial`], [`Server::link_up`], [`FederationConfig`]);
//! - a bound on what waits for each connection ([`Config::max_queued_bytes`]): a reader that
//!   stops reading is closed and what it did not get goes to its other resources or offline;
//! - shards ([`Shards`]): several engines serving one domain, split by bare JID, passing each
//!   other stanzas ([`Output::Forward`], [`Server::handle_forwarded`]).
//!
//! State that outlives sessions sits behind store traits ([`AccountStore`], [`RosterStore`],
//! [`OfflineStore`], [`BlockingStore`], and the MAM and PubSub ones) with in-memory
//! implementations; the engine keeps a synchronous working set and writes each change through.
//!
//! ```
//! use std::{sync::Arc, time::Instant};
//! use xmppkit_jid::BareJid;
//! use xmppkit_server::*;
//! use xmppkit_session::*;
//! use xmppkit_stanza::datetime::DateTime;
//!
//! let now = Now { instant: Instant::now(), utc: DateTime::from_unix(1_700_000_000, 0).unwrap() };
//! let domain = BareJid::new("example.com").unwrap();
//! let stores = Stores::memory(Arc::new(MemoryAccounts::default()));
//! let mut server = Server::new(Config::new(domain.clone()), stores, Box::new(|b| b.fill(7)), now);
//! server.create_account("juliet", "r0m30").unwrap();
//!
//! // One connection: a session for it, and a client talking to it in memory.
//! let conn = server.connect(None);
//! let mut config = ServerConfig::new(domain);
//! config.tls = ServerTls::Unavailable;
//! let mut session = ServerSession::new(config, server.credentials(), Box::new(|| "nonce".into()), now.instant);
//! let mut client_config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "r0m30");
//! client_config.tls = TlsPolicy::Off;
//! let mut client = ClientSession::new(client_config, "client-nonce", now.instant);
//! loop {
//!     let mut moved = false;
//!     while let Some(b) = client.poll_transmit() { session.handle_input(&b, now.instant); moved = true; }
//!     while let Some(b) = session.poll_transmit() { client.handle_input(&b, now.instant); moved = true; }
//!     while let Some(event) = session.poll_event() {
//!         server.handle_event(conn, &mut session, event, now);
//!         moved = true;
//!     }
//!     while let Some(output) = server.poll_output() {
//!         if let Output::Deliver { stanza, size, .. } = output {
//!             session.send_queued(stanza);
//!             server.handle_written(conn, size);
//!         }
//!         moved = true;
//!     }
//!     if !moved { break; }
//! }
//! assert!(client.is_online());
//! assert_eq!(server.bound(), 1);
//! ```
#![forbid(unsafe_code)]

mod account_iq;
mod accounts;
mod admin;
pub mod blocking;
mod blocking_iq;
mod components;
mod config;
mod esl_inbox;
pub mod fast;
mod federation;
mod inbox;
mod links;
mod mds;
mod message_bytes;
pub mod offline;
mod presence;
mod rate;
mod read_state;
mod register;
mod relations;
mod resources;
pub mod roster;
mod roster_change;
mod roster_iq;
mod routing;
mod server;
mod shards;
mod store;
pub mod subscription;
mod subscriptions;

pub use account_iq::NS_REGISTER;
pub use accounts::{derive_keys, prepare_name, AccountError, AccountStore, MemoryAccounts};
pub use blocking::{BlockingStore, MemoryBlocking};
pub use components::{Component, Context, PubSubComponent};
pub use config::{Config, ResourceConflict};
pub use fast::{FastPolicy, MemoryTokens, StoredToken, TokenSlots, TokenStore};
pub use federation::{DomainTaken, FederationConfig};
pub use links::{LinkFailure, LinkId};
pub use offline::{MemoryOffline, OfflineStore};
pub use rate::RateLimit;
pub use resources::ConnId;
pub use roster::{MemoryRosters, Roster, RosterStore};
pub use routing::wire_size;
pub use server::{Now, Output, RandomBytes, Server, Stores};
pub use shards::Shards;
pub use store::StoreError;
