//! Namespace names of the stream layer (RFC 6120) and of the XEPs whose elements cross every stream;
//! the decoder shares these strings instead of allocating them per element.

/// RFC 6120 §4.8.1: the stream namespace (`stream:` prefix).
pub const STREAMS: &str = "http://etherx.jabber.org/streams";
/// RFC 6120 §4.8.2: the content namespace of client-to-server streams.
pub const CLIENT: &str = "jabber:client";
/// RFC 6120 §4.8.2: the content namespace of server-to-server streams.
pub const SERVER: &str = "jabber:server";
/// XEP-0114: the content namespace of component streams.
pub const COMPONENT_ACCEPT: &str = "jabber:component:accept";
/// RFC 6120 §4.9.3: stream error conditions.
pub const XMPP_STREAMS: &str = "urn:ietf:params:xml:ns:xmpp-streams";
/// RFC 6120 §8.3.3: stanza error conditions.
pub const XMPP_STANZAS: &str = "urn:ietf:params:xml:ns:xmpp-stanzas";
/// RFC 6120 §5: STARTTLS.
pub const TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
/// RFC 6120 §6: SASL.
pub const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
/// RFC 6120 §7: resource binding.
pub const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
/// The XML namespace, bound to the `xml` prefix by definition.
pub const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Namespaces shared as static strings by the decoder: the stream layer and the payloads that
/// appear in most stanzas. Any other namespace works the same, it is only interned on first use.
pub(crate) const WELL_KNOWN: &[&str] = &[
    "",
    CLIENT,
    SERVER,
    COMPONENT_ACCEPT,
    STREAMS,
    XMPP_STREAMS,
    XMPP_STANZAS,
    TLS,
    SASL,
    BIND,
    "urn:ietf:params:xml:ns:xmpp-session",
    "urn:xmpp:sm:3",
    "urn:xmpp:ping",
    "jabber:iq:roster",
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/disco#items",
    "http://jabber.org/protocol/caps",
    "http://jabber.org/protocol/chatstates",
    "http://jabber.org/protocol/muc",
    "http://jabber.org/protocol/muc#user",
    "http://jabber.org/protocol/pubsub",
    "http://jabber.org/protocol/pubsub#event",
    "http://jabber.org/protocol/rsm",
    "jabber:x:data",
    "urn:xmpp:delay",
    "urn:xmpp:forward:0",
    "urn:xmpp:sid:0",
    "urn:xmpp:hints",
    "urn:xmpp:receipts",
    "urn:xmpp:chat-markers:0",
    "urn:xmpp:carbons:2",
    "urn:xmpp:mam:2",
    "urn:xmpp:read-markers",
];
