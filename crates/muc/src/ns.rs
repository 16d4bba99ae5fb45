//! The namespaces and disco features of XEP-0045 (§17 Registrar Considerations).

/// `http://jabber.org/protocol/muc`: the join request.
pub const MUC: &str = "http://jabber.org/protocol/muc";
/// `…#user`: what the room tells occupants.
pub const USER: &str = "http://jabber.org/protocol/muc#user";
/// `…#admin`: role and affiliation lists.
pub const ADMIN: &str = "http://jabber.org/protocol/muc#admin";
/// `…#owner`: configuration and destruction.
pub const OWNER: &str = "http://jabber.org/protocol/muc#owner";
/// `FORM_TYPE` of the configuration form.
pub const ROOMCONFIG: &str = "http://jabber.org/protocol/muc#roomconfig";
/// `FORM_TYPE` of the room information form (XEP-0128 extension of disco#info).
pub const ROOMINFO: &str = "http://jabber.org/protocol/muc#roominfo";
/// Feature: the room reflects the sender's message `id` (§7.4).
pub const STABLE_ID: &str = "http://jabber.org/protocol/muc#stable_id";
