//! Persistent rooms (XEP-0045 §10.2, `muc#roomconfig_persistentroom`): what of a room outlives
//! its occupants (configuration, affiliations, subject), the store trait the service writes it
//! through, an in-memory store, and a stable XML form of a saved room for stores that keep it
//! as text.

use crate::affiliation::Affiliation;
use crate::config::RoomConfig;
use crate::room::Subject;
use minidom::Element;
use std::collections::BTreeMap;
use xmppkit_jid::BareJid;
use xmppkit_stanza::data_forms::{DataForm, FormType};
use xmppkit_stanza::set_attr;

/// The namespace of a saved room's XML form (ours: it never goes on the wire).
pub const NS_SAVED: &str = "urn:xmppkit:muc:saved:0";

/// What a persistent room keeps across restarts. Occupants, roles and the in-memory history
/// are not in it: a restarted room is empty, and its history is in its archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedRoom {
    /// The room's JID.
    pub jid: BareJid,
    /// Its configuration.
    pub config: RoomConfig,
    /// Every affiliation other than `none`.
    pub affiliations: BTreeMap<BareJid, Affiliation>,
    /// Its subject.
    pub subject: Option<Subject>,
}

/// The store could not do what was asked (a database down, a row that does not parse).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("room store failed: {0}")]
pub struct StoreError(pub String);

/// Where a service keeps its persistent rooms. The service writes a room when one of its
/// lasting parts changed and removes it when it is destroyed or stops being persistent; a write
/// must be durable (or inside the application's pending commit) when it returns.
pub trait RoomStore {
    /// Every saved room of `service` (a domain), for the service to load at start.
    fn load(&self, service: &BareJid) -> Result<Vec<SavedRoom>, StoreError>;
    /// Writes `room`, replacing what was saved under its JID.
    fn save(&mut self, room: &SavedRoom) -> Result<(), StoreError>;
    /// Forgets the room at `jid` (nothing when it was not saved).
    fn remove(&mut self, jid: &BareJid) -> Result<(), StoreError>;
}

/// Rooms in memory: for tests, and for a service whose rooms need not survive it.
#[derive(Debug, Clone, Default)]
pub struct MemoryRooms {
    rooms: BTreeMap<BareJid, SavedRoom>,
}

impl RoomStore for MemoryRooms {
    fn load(&self, service: &BareJid) -> Result<Vec<SavedRoom>, StoreError> {
        Ok(self
            .rooms
            .values()
            .filter(|r| r.jid.domain() == service.domain())
            .cloned()
            .collect())
    }

    fn save(&mut self, room: &SavedRoom) -> Result<(), StoreError> {
        self.rooms.insert(room.jid.clone(), room.clone());
        Ok(())
    }

    fn remove(&mut self, jid: &BareJid) -> Result<(), StoreError> {
        self.rooms.remove(jid);
        Ok(())
    }
}

impl From<&SavedRoom> for Element {
    /// `<room xmlns='urn:xmppkit:muc:saved:0' jid='…'>` with the configuration as a submitted
    /// `muc#roomconfig` form, one `<affiliation jid='…' value='…'/>` per user and the subject.
    fn from(room: &SavedRoom) -> Element {
        let mut form: DataForm = room.config.to_form(&[], &[]);
        form.type_ = FormType::Submit;
        form.title = None;
        let mut out = Element::builder("room", NS_SAVED)
            .append(Element::from(form))
            .build();
        set_attr(&mut out, "jid", room.jid.to_string());
        for (user, affiliation) in &room.affiliations {
            let mut element = Element::builder("affiliation", NS_SAVED).build();
            set_attr(&mut element, "jid", user.to_string());
            set_attr(&mut element, "value", affiliation.name());
            out.append_child(element);
        }
        if let Some(subject) = &room.subject {
            let mut element = Element::builder("subject", NS_SAVED)
                .append(subject.text.as_str())
                .build();
            set_attr(&mut element, "stamp", subject.stamp.to_string());
            if let Some(by) = &subject.by {
                set_attr(&mut element, "by", by.clone());
            }
            out.append_child(element);
        }
        out
    }
}

impl TryFrom<&Element> for SavedRoom {
    type Error = StoreError;

    fn try_from(element: &Element) -> Result<SavedRoom, StoreError> {
        let bad = |what: &str| StoreError(format!("saved room: {what}"));
        if !element.is("room", NS_SAVED) {
            return Err(bad("not a <room/>"));
        }
        let jid: BareJid = element
            .attr("jid")
            .and_then(|j| j.parse().ok())
            .ok_or_else(|| bad("no valid jid"))?;
        let form = element
            .get_child("x", xmppkit_stanza::ns::DATA_FORMS)
            .ok_or_else(|| bad("no configuration"))?;
        let form = DataForm::try_from(form.clone()).map_err(|e| bad(&e.to_string()))?;
        let mut config = RoomConfig::default();
        config.apply(&form).map_err(|e| bad(&e.to_string()))?;
        let mut affiliations = BTreeMap::new();
        let mut subject = None;
        for child in element.children() {
            if child.is("affiliation", NS_SAVED) {
                let user: BareJid = child
                    .attr("jid")
                    .and_then(|j| j.parse().ok())
                    .ok_or_else(|| bad("an affiliation without a valid jid"))?;
                let value: Affiliation = child
                    .attr("value")
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| bad("an affiliation without a valid value"))?;
                affiliations.insert(user, value);
            } else if child.is("subject", NS_SAVED) {
                let stamp = child
                    .attr("stamp")
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| bad("a subject without a valid stamp"))?;
                subject = Some(Subject {
                    text: child.text(),
                    by: child.attr("by").map(str::to_owned),
                    stamp,
                });
            }
        }
        Ok(SavedRoom {
            jid,
            config,
            affiliations,
            subject,
        })
    }
}
