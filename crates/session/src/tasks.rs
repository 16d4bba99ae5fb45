//! XEP-0388 §2.6.2 tasks: after the SASL2 mechanism succeeds, the server may require more steps
//! (a second factor, a password change, a SCRAM upgrade) with `<continue/>`; the client picks one
//! with `<next/>`, the task runs on `<challenge/>`/`<response/>`, and `<success/>` or another
//! `<continue/>` ends it. These are the two new payloads; both roles build and read them here.

use crate::sasl2::{self, NS};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use minidom::Element;
use xmppkit_stanza::set_attr;

/// `<continue/>`: the tasks the client must choose from, the data the step before ended with
/// (the mechanism's, e.g. SCRAM's server signature, or the last task's), and a text for people.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Continue {
    /// `<additional-data/>`, decoded.
    pub additional: Option<Vec<u8>>,
    /// The task names, in the server's order.
    pub tasks: Vec<String>,
    /// `<text/>`.
    pub text: Option<String>,
}

impl Continue {
    /// The element.
    pub fn element(&self) -> Element {
        let mut el = Element::builder("continue", NS).build();
        if let Some(data) = self.additional.as_deref().filter(|d| !d.is_empty()) {
            el.append_child(
                Element::builder("additional-data", NS)
                    .append(B64.encode(data))
                    .build(),
            );
        }
        let mut tasks = Element::builder("tasks", NS).build();
        for task in &self.tasks {
            tasks.append_child(Element::builder("task", NS).append(task.as_str()).build());
        }
        el.append_child(tasks);
        if let Some(text) = &self.text {
            el.append_child(Element::builder("text", NS).append(text.as_str()).build());
        }
        el
    }

    /// Reads a `<continue/>`; `None` when it is not one or its data is not base64.
    pub fn read(el: &Element) -> Option<Continue> {
        if !el.is("continue", NS) {
            return None;
        }
        let additional = match el.get_child("additional-data", NS) {
            Some(data) => Some(sasl2::decode(data)?),
            None => None,
        };
        let tasks = el
            .get_child("tasks", NS)
            .map(|tasks| {
                tasks
                    .children()
                    .filter(|t| t.is("task", NS))
                    .map(|t| t.text().trim().to_owned())
                    .filter(|t| !t.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let text = el.get_child("text", NS).map(Element::text);
        Some(Continue {
            additional,
            tasks,
            text,
        })
    }
}

/// `<next/>`: the task the client chose, with its initial response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    /// The task's name.
    pub task: String,
    /// `<initial-response/>`, decoded.
    pub initial: Option<Vec<u8>>,
}

impl Next {
    /// The element.
    pub fn element(&self) -> Element {
        let mut el = Element::builder("next", NS).build();
        set_attr(&mut el, "task", self.task.as_str());
        if let Some(data) = &self.initial {
            el.append_child(
                Element::builder("initial-response", NS)
                    .append(B64.encode(data))
                    .build(),
            );
        }
        el
    }

    /// Reads a `<next/>`; `None` without a task or with data that is not base64.
    pub fn read(el: &Element) -> Option<Next> {
        if !el.is("next", NS) {
            return None;
        }
        let task = el.attr("task").filter(|t| !t.is_empty())?.to_owned();
        let initial = match el.get_child("initial-response", NS) {
            Some(data) => Some(sasl2::decode(data)?),
            None => None,
        };
        Some(Next { task, initial })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XEP-0388 §2.6.2, "Continue Required" and "Client Continues", written out.
    #[test]
    fn spec_examples_read_and_round_trip() {
        let c: Element = "<continue xmlns='urn:xmpp:sasl:2'>\
              <additional-data>SSdtIGJvcmVkIG5vdy4=</additional-data>\
              <tasks><task>HOTP-EXAMPLE</task><task>TOTP-EXAMPLE</task></tasks>\
              <text>This account requires 2FA</text></continue>"
            .parse()
            .unwrap();
        let read = Continue::read(&c).unwrap();
        assert_eq!(read.additional.as_deref(), Some(&b"I'm bored now."[..]));
        assert_eq!(read.tasks, ["HOTP-EXAMPLE", "TOTP-EXAMPLE"]);
        assert_eq!(read.text.as_deref(), Some("This account requires 2FA"));
        assert_eq!(Continue::read(&read.element()), Some(read));

        let n: Element = "<next xmlns='urn:xmpp:sasl:2' task='TOTP-EXAMPLE'>\
              <initial-response>SSd2ZSBydW4gb3V0IG9mIGlkZWFzIGhlcmUu</initial-response></next>"
            .parse()
            .unwrap();
        let read = Next::read(&n).unwrap();
        assert_eq!(read.task, "TOTP-EXAMPLE");
        assert_eq!(
            read.initial.as_deref(),
            Some(&b"I've run out of ideas here."[..])
        );
        assert_eq!(Next::read(&read.element()), Some(read));
    }

    #[test]
    fn bad_ones_are_refused() {
        let no_task: Element = "<next xmlns='urn:xmpp:sasl:2'/>".parse().unwrap();
        assert_eq!(Next::read(&no_task), None);
        let not_base64: Element = "<next xmlns='urn:xmpp:sasl:2' task='T'>\
              <initial-response>*</initial-response></next>"
            .parse()
            .unwrap();
        assert_eq!(Next::read(&not_base64), None);
        let other: Element = "<success xmlns='urn:xmpp:sasl:2'/>".parse().unwrap();
        assert_eq!(Continue::read(&other), None);
    }
}
