//! What a user sets on an inbox entry beyond read state (MongooseIM's inbox, `#conversation`):
//! its box and since when (a later message brings the entry back to the inbox), until when it
//! is muted, and a manual "unread" mark (shown as one unread message while nothing else is).
//! One record per (user, conversation), written only when set.

use crate::store::StoreError;
use std::collections::{BTreeMap, HashMap};
use xmppkit_jid::BareJid;
use xmppkit_stanza::datetime::DateTime;

/// An entry's properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProps {
    /// Its box (`inbox`, `archive`, `bin` or a custom one).
    pub boxed: String,
    /// When it was put in that box: a later message brings it back to the inbox.
    pub boxed_at: Option<DateTime>,
    /// Muted until then.
    pub muted_until: Option<DateTime>,
    /// Marked unread by hand.
    pub marked_unread: bool,
}

impl EntryProps {
    /// The box the entry is in when its last message is from `last`: the one it was put in,
    /// unless a message came after that (then the inbox again).
    pub fn box_at(&self, last: DateTime) -> &str {
        match self.boxed_at {
            Some(at) if last.0 > at.0 => crate::esl_inbox::INBOX_BOX,
            _ => &self.boxed,
        }
    }
}

impl Default for EntryProps {
    fn default() -> Self {
        EntryProps {
            boxed: crate::esl_inbox::INBOX_BOX.to_owned(),
            boxed_at: None,
            muted_until: None,
            marked_unread: false,
        }
    }
}

/// Storage of entry properties, keyed by (user, conversation's bare JID).
pub trait EntryPropsStore: Send {
    /// `user`'s properties of `conversation`, if ever set.
    fn get(&self, user: &BareJid, conversation: &BareJid)
        -> Result<Option<EntryProps>, StoreError>;
    /// Every entry of `user` with properties set.
    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, EntryProps)>, StoreError>;
    /// Sets `user`'s properties of `conversation`.
    fn set(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        props: &EntryProps,
    ) -> Result<(), StoreError>;
}

/// A boxed store is a store.
impl<S: EntryPropsStore + ?Sized> EntryPropsStore for Box<S> {
    fn get(
        &self,
        user: &BareJid,
        conversation: &BareJid,
    ) -> Result<Option<EntryProps>, StoreError> {
        (**self).get(user, conversation)
    }
    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, EntryProps)>, StoreError> {
        (**self).all(user)
    }
    fn set(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        props: &EntryProps,
    ) -> Result<(), StoreError> {
        (**self).set(user, conversation, props)
    }
}

/// An in-memory [`EntryPropsStore`].
#[derive(Debug, Default)]
pub struct MemoryEntryProps {
    users: HashMap<BareJid, BTreeMap<BareJid, EntryProps>>,
}

impl EntryPropsStore for MemoryEntryProps {
    fn get(
        &self,
        user: &BareJid,
        conversation: &BareJid,
    ) -> Result<Option<EntryProps>, StoreError> {
        Ok(self
            .users
            .get(user)
            .and_then(|c| c.get(conversation))
            .cloned())
    }

    fn all(&self, user: &BareJid) -> Result<Vec<(BareJid, EntryProps)>, StoreError> {
        Ok(self
            .users
            .get(user)
            .map(|c| c.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default())
    }

    fn set(
        &mut self,
        user: &BareJid,
        conversation: &BareJid,
        props: &EntryProps,
    ) -> Result<(), StoreError> {
        self.users
            .entry(user.clone())
            .or_default()
            .insert(conversation.clone(), props.clone());
        Ok(())
    }
}
