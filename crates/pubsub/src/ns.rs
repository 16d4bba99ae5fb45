//! The namespaces and form types of XEP-0060 (§16.2, §16.4) and the PEP notification suffix of
//! XEP-0163 §4.

/// `http://jabber.org/protocol/pubsub`: entity use cases.
pub const PUBSUB: &str = "http://jabber.org/protocol/pubsub";
/// `…#owner`: owner use cases.
pub const OWNER: &str = "http://jabber.org/protocol/pubsub#owner";
/// `…#event`: notifications.
pub const EVENT: &str = "http://jabber.org/protocol/pubsub#event";
/// `…#errors`: the pubsub-specific error conditions.
pub const ERRORS: &str = "http://jabber.org/protocol/pubsub#errors";
/// `FORM_TYPE` of the node configuration form.
pub const NODE_CONFIG: &str = "http://jabber.org/protocol/pubsub#node_config";
/// `FORM_TYPE` of the subscription options form.
pub const SUBSCRIBE_OPTIONS: &str = "http://jabber.org/protocol/pubsub#subscribe_options";
/// `FORM_TYPE` of publish preconditions.
pub const PUBLISH_OPTIONS: &str = "http://jabber.org/protocol/pubsub#publish-options";
/// `FORM_TYPE` of node metadata (disco#info extension).
pub const META_DATA: &str = "http://jabber.org/protocol/pubsub#meta-data";
/// XEP-0163 §4: a client that wants notifications for namespace `ns` advertises `ns` + this.
pub const NOTIFY_SUFFIX: &str = "+notify";

/// The disco feature `http://jabber.org/protocol/pubsub#<name>` (§16.5).
pub fn feature(name: &str) -> String {
    format!("{PUBSUB}#{name}")
}
