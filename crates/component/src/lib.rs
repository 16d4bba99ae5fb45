//! # xmppkit-component
//!
//! XEP-0114 external components, sans-IO, both sides of the stream:
//! - [`ComponentAccept`]: the server's side. It checks the handshake against the shared secret
//!   of the domain the component names, then hands on the component's stanzas (their `from`
//!   checked against that domain) and writes the stanzas routed to it;
//! - [`ComponentSession`]: the component's side, for a bot or a bridge written in Rust.
//!
//! Stanzas cross in `jabber:client` on the API (as `xmppkit-server` routes them) and are
//! renamed to `jabber:component:accept` on the wire.
//!
//! ```
//! use std::{collections::HashMap, sync::Arc};
//! use xmppkit_component::*;
//! use xmppkit_jid::BareJid;
//!
//! let secrets = Arc::new(HashMap::from([("echo.example.com".to_owned(), "pw".to_owned())]));
//! let mut server = ComponentAccept::new(secrets, "a1b2".into());
//! let mut bot = ComponentSession::new(BareJid::new("echo.example.com").unwrap(), "pw".into());
//! let mut shuttle = |server: &mut ComponentAccept, bot: &mut ComponentSession| {
//!     for _ in 0..3 {
//!         while let Some(b) = bot.poll_transmit() { server.handle_input(&b); }
//!         while let Some(b) = server.poll_transmit() { bot.handle_input(&b); }
//!     }
//! };
//! shuttle(&mut server, &mut bot);
//! assert!(bot.is_online());
//!
//! // The server routes a message to the bot; the bot answers it.
//! let hello: minidom::Element = "<message xmlns='jabber:client' from='juliet@example.com/a' \
//!     to='echo.example.com'><body>hi</body></message>".parse().unwrap();
//! server.send(hello);
//! shuttle(&mut server, &mut bot);
//! let Some(ComponentEvent::Online) = bot.poll_event() else { panic!() };
//! let Some(ComponentEvent::Stanza(got)) = bot.poll_event() else { panic!() };
//! assert_eq!(got.get_child("body", "jabber:client").unwrap().text(), "hi");
//! let answer: minidom::Element = "<message xmlns='jabber:client' from='echo.example.com' \
//!     to='juliet@example.com/a'><body>hi</body></message>".parse().unwrap();
//! bot.send(answer.clone()).unwrap();
//! shuttle(&mut server, &mut bot);
//! let _authenticated = server.poll_event();
//! assert_eq!(server.poll_event(), Some(AcceptEvent::Stanza(answer)));
//! ```
#![forbid(unsafe_code)]

mod accept;
mod error;
mod handshake;
mod session;

pub use accept::{AcceptEvent, ComponentAccept};
pub use error::ComponentError;
pub use handshake::{handshake_digest, handshake_matches, NS_ACCEPT};
pub use session::{ComponentEvent, ComponentSession, NotOnline};
