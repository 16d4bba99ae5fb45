//! # xmppkit-pubsub
//!
//! XEP-0060 Publish-Subscribe and XEP-0163 Personal Eventing Protocol: typed payloads for every
//! namespace and a sans-IO service engine.
//!
//! | module | specification |
//! |---|---|
//! | [`PubSub`], [`Item`], [`SubscriptionInfo`] | `pubsub`: entity use cases (§5–§7) |
//! | [`PubSubOwner`] | `pubsub#owner`: owner use cases (§8) |
//! | [`Event`] | `pubsub#event`: notifications |
//! | [`Condition`], [`Refusal`] | `pubsub#errors` and the stanza errors of each use case |
//! | [`NodeConfig`] | `pubsub#node_config` and `publish-options` preconditions (§7.1.5, §16.4) |
//! | [`privileges`] | the affiliation table (§4.1) and access models (§4.5) |
//! | [`Engine`], [`NodeStore`], [`MemoryStore`] | the service engine for components and PEP accounts |
//! | [`client`] | the requests a client sends and reading notifications |
//!
//! The engine answers each pubsub IQ with [`Engine::handle_iq`] and returns the stanzas to
//! route: the answer, then the notifications. It never reads the clock (time is an argument) and
//! learns about rosters and presence through [`Relations`], which the server implements.
//!
//! ```
//! use xmppkit_pubsub::{client, Engine, Event, MemoryStore, PubSubConfig, ServiceKind};
//! use xmppkit_stanza::Iq;
//! let now = "2003-12-13T18:30:02Z".parse().unwrap();
//! let mut pubsub = Engine::new(MemoryStore::default(), PubSubConfig::default());
//! let service: xmppkit_jid::Jid = "pubsub.shakespeare.lit".parse().unwrap();
//! let mut send = |mut iq: Iq, from: &str| {
//!     iq.from = Some(from.parse().unwrap());
//!     pubsub.handle_iq(&iq, ServiceKind::Service, &(), now).unwrap()
//! };
//! send(client::create("c", service.clone(), "blog"), "hamlet@denmark.lit/elsinore");
//! send(client::subscribe("s", service.clone(), "blog", "horatio@denmark.lit".parse().unwrap()),
//!     "horatio@denmark.lit/castle");
//! let entry: minidom::Element = "<entry xmlns='http://www.w3.org/2005/Atom'/>".parse().unwrap();
//! let out = send(client::publish("p", service, "blog", Some("first"), entry),
//!     "hamlet@denmark.lit/elsinore");
//! let Some(Event::Items { items, .. }) = client::event(&out[1]) else { panic!() };
//! assert_eq!(items[0].id.as_deref(), Some("first"));
//! ```
#![forbid(unsafe_code)]

pub mod client;
mod config;
mod engine;
mod error;
mod event;
mod item;
mod model;
pub mod ns;
mod owner;
pub mod privileges;
mod request;
mod saved;
mod store;
mod working_set;

pub use config::{ConfigError, NodeConfig, PreconditionError, ITEMS_LIMIT};
pub use engine::{CreatePolicy, Engine, PubSubConfig, Relations, ServiceKind, FEATURES};
pub use error::{Condition, Refusal};
pub use event::Event;
pub use item::{Item, SubscriptionInfo};
pub use model::{AccessModel, Affiliation, PublishModel, SendLastItem, Subscription, UnknownName};
pub use owner::PubSubOwner;
pub use request::PubSub;
pub use saved::{NodeText, Unreadable, NS_SAVED};
pub use store::{MemoryStore, Node, NodeStore, StoreError, StoredItem, Sub};
pub use working_set::{NodeWriter, StoredNodes, WorkingSet};
