//! MongooseIM's inbox (`erlang-solutions.com:xmpp:inbox:0`) at the user's own bare JID, on the
//! read-state engine: the query form; the inbox (an IQ set `<inbox/>`: each entry as a
//! `<result unread queryid>` message with its last message and properties, filtered by box,
//! time and `hidden_read`, in either order, at most `max`, then `<fin/>`); and the entry
//! properties of `#conversation` (box, archive, mute, read): read, set, and pushed to every
//! resource of the user as `<x jid/>`; an entry moved to another box comes back to the inbox
//! with its next message; `<empty-bin/>` drops the bin's entries (until their next message).
//! `read=true` reads the whole conversation through the engine (every front-end sees it);
//! `read=false` marks it unread until the next read.

use crate::server::Server;
use minidom::Element;
use std::collections::HashMap;
use xmppkit_jid::{BareJid, FullJid};
use xmppkit_read_markers::esl_inbox::{
    emptied, fin, result, InboxRequest, Order, Properties, PropertiesQuery, BIN_BOX, EMPTIED_BOX,
    NS, NS_CONVERSATION,
};
use xmppkit_read_markers::{Conversation, EntryProps, Upto};
use xmppkit_stanza::data_forms::{DataForm, Field, FieldType, FormType};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::{ns, set_attr, DefinedCondition, Iq, IqPayload, StanzaError};

/// The most entries one answer holds.
const LIMIT: usize = 250;

impl Server {
    /// An inbox request of `from`'s to its own account.
    pub(crate) fn esl_inbox_iq(&mut self, from: &FullJid, iq: Iq) {
        let answer = match &iq.payload {
            IqPayload::Get(el) if el.is("query", NS) => Ok(Some(query_form())),
            IqPayload::Set(el) if el.is("inbox", NS) => match InboxRequest::try_from(el.clone()) {
                Ok(request) => self.esl_inbox(from, &iq, request).map(Some),
                Err(_) => Err(DefinedCondition::BadRequest),
            },
            IqPayload::Set(el) if el.is("empty-bin", NS) => self.empty_bin(from).map(Some),
            IqPayload::Get(el) | IqPayload::Set(el) if el.is("query", NS_CONVERSATION) => {
                match PropertiesQuery::try_from(el.clone()) {
                    Ok(query) => self.entry_properties(from, &iq, query),
                    Err(_) => Err(DefinedCondition::BadRequest),
                }
            }
            _ => Err(DefinedCondition::BadRequest),
        };
        match answer {
            Ok(payload) => self.reply(iq.result(payload)),
            Err(condition) => self.reply(iq.error(StanzaError::new(condition))),
        }
    }

    fn esl_inbox(
        &mut self,
        from: &FullJid,
        iq: &Iq,
        request: InboxRequest,
    ) -> Result<Element, DefinedCondition> {
        let user = from.to_bare();
        let is_room = |jid: &BareJid| self.is_room(jid);
        let lines = self.read_state.inbox(self.mam.archive(), &user, &is_room);
        let lines = lines.map_err(|e| self.read_state_error(e))?;
        let props: HashMap<BareJid, EntryProps> = match self.entry_props.all(&user) {
            Ok(all) => all.into_iter().collect(),
            Err(e) => return Err(self.read_state_error(e.into())),
        };
        let now = self.now.utc;
        let mut entries: Vec<_> = lines
            .into_iter()
            .map(|line| {
                let mut p = props
                    .get(line.conversation.jid())
                    .cloned()
                    .unwrap_or_default();
                p.boxed = p.box_at(line.last.stamp).to_owned();
                let unread = shown_unread(line.unread, &p);
                (line, p, unread)
            })
            .filter(|(line, p, unread)| {
                let in_box = match &request.boxed {
                    None => p.boxed != BIN_BOX && p.boxed != EMPTIED_BOX,
                    Some(b) => p.boxed == *b,
                };
                let stamp = line.last.stamp.0;
                in_box
                    && request.start.is_none_or(|s| stamp >= s.0)
                    && request.end.is_none_or(|e| stamp <= e.0)
                    && (!request.hidden_read || *unread > 0)
            })
            .collect();
        if request.order == Order::Asc {
            entries.reverse();
        }
        let count = entries.len() as u64;
        let unread_messages = entries.iter().map(|(_, _, n)| n).sum();
        let active = entries.iter().filter(|(_, _, n)| *n > 0).count() as u64;
        let max = request
            .set
            .as_ref()
            .and_then(|s| s.max)
            .map_or(LIMIT, |m| (m as usize).min(LIMIT));
        let queryid = request.queryid.clone().unwrap_or_else(|| iq.id.clone());
        for (n, (line, p, unread)) in entries.into_iter().take(max).enumerate() {
            let properties = Properties {
                boxed: p.boxed.clone(),
                muted_until: p.muted_until.filter(|t| t.0 > now.0),
                read: unread == 0,
            };
            let last = Forwarded {
                delay: Some(xmppkit_stanza::delay::Delay {
                    from: None,
                    stamp: line.last.stamp,
                    reason: None,
                }),
                stanza: line.last.message,
            };
            let mut message = Element::builder("message", ns::CLIENT).build();
            set_attr(&mut message, "to", from.to_string());
            set_attr(&mut message, "from", user.to_string());
            set_attr(&mut message, "id", format!("{}-{n}", iq.id));
            message.append_child(result(&queryid, unread, last, &properties));
            self.send_to_addressed(message);
        }
        Ok(fin(count, unread_messages, active))
    }

    /// `#conversation`: the properties' form, one entry's properties, or a change to them.
    fn entry_properties(
        &mut self,
        from: &FullJid,
        iq: &Iq,
        query: PropertiesQuery,
    ) -> Result<Option<Element>, DefinedCondition> {
        let user = from.to_bare();
        let Some(jid) = query.jid else {
            return match iq.payload {
                IqPayload::Get(_) => Ok(Some(properties_form())),
                _ => Err(DefinedCondition::BadRequest),
            };
        };
        let conversation = self.conversation(jid.clone());
        let stored = self.entry_props.get(&user, &jid);
        let mut props = stored
            .map_err(|e| self.read_state_error(e.into()))?
            .unwrap_or_default();
        if let IqPayload::Set(_) = iq.payload {
            let change = query.change;
            if let Some(boxed) = change.boxed {
                props.boxed = boxed;
                props.boxed_at = Some(self.now.utc);
            }
            if let Some(seconds) = change.mute_seconds {
                props.muted_until = (seconds > 0).then(|| {
                    let until = self.now.utc.0 + chrono::Duration::seconds(seconds as i64);
                    xmppkit_stanza::datetime::DateTime(until)
                });
            }
            match change.read {
                Some(true) => {
                    props.marked_unread = false;
                    self.ack_as(&user, &conversation, Upto::All)
                        .map_err(|e| self.read_state_error(e))?;
                }
                Some(false) => props.marked_unread = true,
                None => {}
            }
            self.entry_props
                .set(&user, &jid, &props)
                .map_err(|e| self.read_state_error(e.into()))?;
        }
        let unread = self
            .read_state
            .unread(self.mam.archive(), &user, &conversation)
            .map_err(|e| self.read_state_error(e))?;
        let boxed = match self.last_stamp(&user, &conversation) {
            Some(last) => props.box_at(last).to_owned(),
            None => props.boxed.clone(),
        };
        let properties = Properties {
            boxed,
            muted_until: props.muted_until.filter(|t| t.0 > self.now.utc.0),
            read: shown_unread(unread, &props) == 0,
        };
        if let IqPayload::Set(_) = iq.payload {
            // Every resource of the user learns the entry's new state.
            let resources: Vec<FullJid> = self.resources.of(&user).map(|(jid, _)| jid).collect();
            for resource in resources {
                let mut push = Element::builder("message", ns::CLIENT).build();
                set_attr(&mut push, "to", resource.to_string());
                set_attr(&mut push, "from", user.to_string());
                set_attr(&mut push, "id", format!("inbox-{}", self.new_id()));
                push.append_child(properties.push(&jid));
                self.send_to_addressed(push);
            }
        }
        let mut answer = Element::builder("query", NS_CONVERSATION).build();
        if let IqPayload::Set(_) = iq.payload {
            set_attr(&mut answer, "jid", jid.to_string());
        }
        for child in properties.children() {
            answer.append_child(child);
        }
        Ok(Some(answer))
    }
}

impl Server {
    /// `<empty-bin/>`: the entries in the bin are dropped from the inbox (until a new message
    /// brings one back); the archive keeps their messages. Answers how many.
    fn empty_bin(&mut self, from: &FullJid) -> Result<Element, DefinedCondition> {
        let user = from.to_bare();
        let all = self.entry_props.all(&user);
        let all = all.map_err(|e| self.read_state_error(e.into()))?;
        let mut dropped = 0;
        for (jid, mut props) in all {
            let conversation = self.conversation(jid.clone());
            let boxed = match self.last_stamp(&user, &conversation) {
                Some(last) => props.box_at(last).to_owned(),
                None => props.boxed.clone(),
            };
            if boxed != BIN_BOX {
                continue;
            }
            props.boxed = EMPTIED_BOX.to_owned();
            props.boxed_at = Some(self.now.utc);
            self.entry_props
                .set(&user, &jid, &props)
                .map_err(|e| self.read_state_error(e.into()))?;
            dropped += 1;
        }
        Ok(emptied(dropped))
    }

    /// When the last message of `conversation` was archived, if it has one.
    fn last_stamp(&self, user: &BareJid, conversation: &Conversation) -> Option<DateTime> {
        let (owner, with) = conversation.archive(user);
        let archive = self.mam.archive();
        let (_, id) = archive.latest(owner, with).ok()??;
        let filter = xmppkit_mam::Filter {
            ids: vec![id],
            ..Default::default()
        };
        let page = xmppkit_mam::Page {
            max: 1,
            ..Default::default()
        };
        Some(
            archive
                .query(owner, &filter, &page)
                .ok()?
                .items
                .first()?
                .stamp,
        )
    }
}

/// The count an entry shows: its unread messages, or one when marked unread by hand.
fn shown_unread(unread: u64, props: &EntryProps) -> u64 {
    if props.marked_unread {
        unread.max(1)
    } else {
        unread
    }
}

fn typed(var: &str, type_: FieldType, values: &[&str]) -> Field {
    Field {
        type_: Some(type_),
        ..Field::new(var, values.iter().copied())
    }
}

/// The inbox query's form.
fn query_form() -> Element {
    let form = DataForm::new(
        FormType::Form,
        vec![
            Field::form_type(NS),
            typed("start", FieldType::TextSingle, &[]),
            typed("end", FieldType::TextSingle, &[]),
            typed("order", FieldType::ListSingle, &["desc"]),
            typed("hidden_read", FieldType::TextSingle, &["false"]),
            typed("box", FieldType::ListSingle, &["all"]),
            typed("archive", FieldType::Boolean, &[]),
        ],
    );
    Element::builder("query", NS)
        .append(Element::from(form))
        .build()
}

/// The entry properties' form.
fn properties_form() -> Element {
    let form = DataForm::new(
        FormType::Form,
        vec![
            Field::form_type(NS),
            typed("archive", FieldType::Boolean, &["false"]),
            typed("read", FieldType::Boolean, &["false"]),
            typed("mute", FieldType::TextSingle, &["0"]),
            typed("box", FieldType::ListSingle, &["all"]),
        ],
    );
    Element::builder("query", NS_CONVERSATION)
        .append(Element::from(form))
        .build()
}
