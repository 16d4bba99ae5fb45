//! The plug-in point for protocols that live beside the stanzas on the same stream — stream
//! management (XEP-0198) first: it needs to see every stanza sent and received, to add stream
//! features, and to handle its own top-level elements (`<enable/>`, `<r/>`, `<a/>`, ...).

use minidom::Element;

/// Something that takes part in a session without being stanza routing. Every method has a no-op
/// default; each returns the elements to send in answer.
pub trait StreamHook: Send {
    /// Server: elements to add to `<stream:features/>` once the client is authenticated.
    fn extra_features(&mut self) -> Vec<Element> {
        Vec::new()
    }

    /// Client: the session is online (resource bound); `features` are the server's last features.
    fn on_online(&mut self, _features: &Element) -> Vec<Element> {
        Vec::new()
    }

    /// A stanza was written to the stream.
    fn on_sent(&mut self, _stanza: &Element) {}

    /// A stanza was read from the stream.
    fn on_received(&mut self, _stanza: &Element) -> Vec<Element> {
        Vec::new()
    }

    /// A top-level element that is not a stanza arrived once online. `None`: not this hook's;
    /// `Some(replies)`: handled.
    fn on_nonza(&mut self, _element: &Element) -> Option<Vec<Element>> {
        None
    }
}
