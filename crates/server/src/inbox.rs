//! XEP-0430 Inbox at the user's own bare JID: the read-state engine's conversations, most
//! recent first, each as a `<message/>` holding its `<entry jid unread id/>` and (unless
//! `messages='false'`) its last message as a MAM `<result/>`, then the IQ result with
//! `<fin total unread all-unread/>` and the XEP-0059 page (items are conversations, named by
//! JID). `unread-only` keeps those with something unread; the totals are the whole inbox's.

use crate::server::Server;
use minidom::Element;
use xmppkit_jid::FullJid;
use xmppkit_mam::payload::ResultItem;
use xmppkit_read_markers::inbox::{InboxEntry, InboxFin, InboxQuery};
use xmppkit_read_markers::InboxLine;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{ns, set_attr, DefinedCondition, Iq, IqPayload, StanzaError};

/// The most conversations one answer holds (a client pages for more).
const PAGE_LIMIT: usize = 250;

impl Server {
    /// An inbox query from `from` to its own account.
    pub(crate) fn inbox_iq(&mut self, from: &FullJid, iq: Iq) {
        let IqPayload::Get(el) = &iq.payload else {
            return self.reply(iq.error(StanzaError::new(DefinedCondition::BadRequest)));
        };
        let Ok(query) = InboxQuery::try_from(el.clone()) else {
            return self.reply(iq.error(StanzaError::new(DefinedCondition::BadRequest)));
        };
        let user = from.to_bare();
        let is_room = |jid: &xmppkit_jid::BareJid| self.is_room(jid);
        let lines = self.read_state.inbox(self.mam.archive(), &user, &is_room);
        let lines = match lines {
            Ok(lines) => lines,
            Err(e) => {
                let condition = self.read_state_error(e);
                return self.reply(iq.error(StanzaError::new(condition)));
            }
        };
        let fin = InboxFin {
            total: lines.len() as u64,
            unread: lines.iter().filter(|l| l.unread > 0).count() as u64,
            all_unread: lines.iter().map(|l| l.unread).sum(),
            set: None,
        };
        let selected: Vec<InboxLine> = lines
            .into_iter()
            .filter(|l| !query.unread_only || l.unread > 0)
            .collect();
        let set = query.set.clone().unwrap_or_default();
        let Some((start, end)) = window(&selected, &set) else {
            return self.reply(iq.error(StanzaError::new(DefinedCondition::ItemNotFound)));
        };
        let count = selected.len();
        let page: Vec<InboxLine> = selected.into_iter().skip(start).take(end - start).collect();
        let answered = Set {
            first: page
                .first()
                .map(|l| (l.conversation.jid().to_string(), Some(start as u32))),
            last: page.last().map(|l| l.conversation.jid().to_string()),
            count: Some(count as u32),
            ..Set::default()
        };
        for (n, line) in page.into_iter().enumerate() {
            let mut message = Element::builder("message", ns::CLIENT).build();
            set_attr(&mut message, "to", from.to_string());
            set_attr(&mut message, "from", user.to_string());
            set_attr(&mut message, "id", format!("{}-{n}", iq.id));
            let entry = InboxEntry {
                jid: line.conversation.jid().clone(),
                unread: line.unread,
                id: line.last.id.clone(),
            };
            message.append_child(entry.into());
            if query.messages {
                message.append_child(ResultItem::of(Some(iq.id.clone()), line.last).into());
            }
            self.send_to_addressed(message);
        }
        let fin = InboxFin {
            set: Some(answered),
            ..fin
        };
        self.reply(iq.result(Some(fin.into())));
    }
}

/// The page of `lines` that `set` asks for, as a range; `None` when its `after`/`before`
/// names a conversation not in the list (XEP-0059 §2.5: item-not-found).
fn window(lines: &[InboxLine], set: &Set) -> Option<(usize, usize)> {
    let max = set.max.map_or(PAGE_LIMIT, |m| (m as usize).min(PAGE_LIMIT));
    let at = |jid: &str| {
        lines
            .iter()
            .position(|l| l.conversation.jid().as_str() == jid)
    };
    Some(match (&set.after, &set.before) {
        (_, Some(before)) => {
            let end = if before.is_empty() {
                lines.len()
            } else {
                at(before)?
            };
            (end.saturating_sub(max), end)
        }
        (Some(after), None) => {
            let start = at(after)? + 1;
            (start, (start + max).min(lines.len()))
        }
        (None, None) => {
            let start = (set.index.unwrap_or(0) as usize).min(lines.len());
            (start, (start + max).min(lines.len()))
        }
    })
}
