//! A stanza serialized once without its `to` (RFC 6120 §8.1.1), addressed per recipient by
//! splicing ` to='…'` in after its name: a fan-out to a thousand occupants or subscribers costs
//! one serialization and a copy of the bytes per recipient, not a tree per recipient.

use crate::encoder::{write_attr, write_element_without};
use bytes::{BufMut, Bytes, BytesMut};
use minidom::Element;
use std::fmt;

/// The bytes of a stanza for a stream of one content namespace, with a slot for `to`.
///
/// ```
/// use xmppkit_codec::Unaddressed;
/// let message: minidom::Element = "<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' \
///     type='groupchat'><body>Harpier cries: 'tis time, 'tis time.</body></message>".parse().unwrap();
/// let once = Unaddressed::new(&message, "jabber:client");
/// assert_eq!(
///     &once.addressed("crone1@shakespeare.lit/desktop")[..],
///     &b"<message to='crone1@shakespeare.lit/desktop' from='coven@chat.shakespeare.lit/thirdwitch' \
///     type='groupchat'><body>Harpier cries: 'tis time, 'tis time.</body></message>"[..],
/// );
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Unaddressed {
    bytes: Bytes,
    /// Where ` to='…'` goes: right after the element's name.
    at: usize,
}

impl Unaddressed {
    /// Serializes `stanza` as [`crate::write_element`] does for a stream whose content namespace
    /// is `content_ns`, leaving out its `to` if it has one.
    pub fn new(stanza: &Element, content_ns: &str) -> Unaddressed {
        let mut out = BytesMut::new();
        write_element_without(stanza, content_ns, "to", &mut out);
        // `<` and the name; the encoder writes a stanza's name unprefixed (only elements of the
        // stream namespace get `stream:`, and those carry no `to`).
        let at = out[1..]
            .iter()
            .position(|b| matches!(b, b' ' | b'/' | b'>'))
            .map_or(out.len(), |p| p + 1);
        Unaddressed {
            bytes: out.freeze(),
            at,
        }
    }

    /// The bytes without `to`.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The bytes with `to` set to `to` (escaped), in one allocation.
    pub fn addressed(&self, to: &str) -> Bytes {
        let mut out = BytesMut::with_capacity(self.bytes.len() + to.len() + 6);
        out.put_slice(&self.bytes[..self.at]);
        write_attr(&mut out, "to", to);
        out.put_slice(&self.bytes[self.at..]);
        out.freeze()
    }
}

impl fmt::Debug for Unaddressed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Unaddressed")
            .field(&String::from_utf8_lossy(&self.bytes))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::to_string;

    fn set_to(el: &mut Element, to: &str) {
        let name = minidom::rxml::NcName::try_from("to").unwrap();
        el.set_attr(minidom::rxml::Namespace::NONE, name, to);
    }

    /// What the encoder writes for `stanza` with `to` set: the spliced bytes must be exactly that.
    fn written_with_to(stanza: &Element, to: &str, ns: &str) -> Vec<u8> {
        let mut el = stanza.clone();
        set_to(&mut el, to);
        let mut out = BytesMut::new();
        crate::write_element(&el, ns, &mut out);
        out.to_vec()
    }

    #[test]
    fn the_spliced_bytes_parse_back_to_the_addressed_stanza() {
        let cases = [
            // XEP-0045 Example 64: a message a room reflects.
            ("<message xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch' \
              id='hysf1v37' type='groupchat'><body>Harpier cries: 'tis time, 'tis time.</body></message>",
             "jabber:client"),
            // Empty, and in a foreign namespace (the xmlns comes before `to`).
            ("<message xmlns='jabber:client'/>", "jabber:client"),
            ("<message xmlns='jabber:client' type='headline'/>", "jabber:component:accept"),
            // XEP-0060 Example 101: an event notification.
            ("<message xmlns='jabber:client' from='pubsub.shakespeare.lit' id='foo'>\
              <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='princely_musings'>\
              <item id='ae890ac52d0df67ed7cfdf51b644e901'/></items></event></message>",
             "jabber:client"),
        ];
        for (xml, ns) in cases {
            let stanza: Element = xml.parse().unwrap();
            let once = Unaddressed::new(&stanza, ns);
            for to in ["hag66@shakespeare.lit/pda", "o'brien@example.com/a&b<c>"] {
                // minidom keeps attributes sorted; the encoder writes them in that order, and
                // `to` sorts after `from`/`id` but the splice puts it first: compare the trees.
                let spliced = once.addressed(to);
                let parsed: Element = parse(&spliced, ns);
                let mut expected = stanza.clone();
                set_to(&mut expected, to);
                assert_eq!(parsed, expected, "{xml} to {to}");
                assert_eq!(spliced.len(), written_with_to(&stanza, to, ns).len());
            }
        }
    }

    #[test]
    fn leaves_out_a_to_the_stanza_already_had() {
        let stanza: Element = "<message xmlns='jabber:client' to='old@example.com' type='chat'/>"
            .parse()
            .unwrap();
        let once = Unaddressed::new(&stanza, "jabber:client");
        assert_eq!(&once.bytes()[..], b"<message type='chat'/>");
        assert_eq!(
            &once.addressed("new@example.com")[..],
            b"<message to='new@example.com' type='chat'/>"
        );
        // The tree is untouched.
        assert_eq!(
            to_string(&stanza),
            "<message xmlns='jabber:client' to='old@example.com' type='chat'/>"
        );
    }

    fn parse(bytes: &[u8], ns: &str) -> Element {
        let xml =
            format!("<stream:stream xmlns='{ns}' xmlns:stream='http://etherx.jabber.org/streams'>");
        let mut decoder = crate::Decoder::new();
        decoder.feed(xml.as_bytes());
        decoder.feed(bytes);
        loop {
            match decoder.next_event().unwrap() {
                Some(crate::Event::Stanza(el)) => return el,
                Some(_) => continue,
                None => panic!("no stanza in {}", String::from_utf8_lossy(bytes)),
            }
        }
    }
}
