//! A roster changed outside XMPP: an application that keeps its users' relationships in its
//! own database (a `friendships` table behind its own [`RosterStore`](crate::RosterStore))
//! accepts a friendship, and the users' clients must see it now. The server brings its working
//! set in line, pushes the item (RFC 6121 §2.1.6) and sends the presence the new subscription
//! implies (§3.1.5 when one starts, §3.2.2 and §3.3.3 when one ends).

use crate::roster::Item;
use crate::server::Server;
use crate::subscription::State;
use xmppkit_jid::BareJid;

impl Server {
    /// The application changed `user`'s item for `contact` in the roster store itself: `item`
    /// is what the store now holds (`None`: the contact is gone). When `user` has the roster
    /// loaded (a session is bound), the working set takes the item with a new version, the
    /// resources that asked for the roster get a push, and when `user`'s subscription to
    /// `contact`'s subscription to `user` started or ended the contact gets the presence of
    /// `user`'s resources or their unavailable presence; then the roster is saved (a store that already holds
    /// the change writes nothing new). When it is not loaded there is nothing to do: the next
    /// bind reads the store. A change equal to what the server holds is no change.
    ///
    /// A friendship is two items: call this for each side.
    pub fn handle_roster_changed(&mut self, user: &BareJid, contact: &BareJid, item: Option<Item>) {
        if user == contact || !self.rosters.contains_key(user) {
            return;
        }
        let roster = self.load_roster(user);
        let current = roster.items.get(contact).filter(|i| i.listed).cloned();
        let old = current.as_ref().map_or(State::default(), |i| i.state);
        let same = match (&current, &item) {
            (Some(a), Some(b)) => a.state == b.state && a.name == b.name && a.groups == b.groups,
            (None, None) => true,
            _ => false,
        };
        if same {
            return;
        }
        let new = match item {
            Some(item) => {
                let state = item.state;
                roster.items.insert(
                    contact.clone(),
                    Item {
                        listed: true,
                        ..item
                    },
                );
                roster.touch(contact);
                state
            }
            None => {
                roster.remove(contact);
                State::default()
            }
        };
        self.save_roster(user);
        self.push(user, contact);
        // The publisher's side sends the presence: `contact` now sees `user` (it gets the
        // presence of `user`'s resources), or no longer does. The other direction is the
        // contact's own item, changed by its own call (on whichever shard or server holds it),
        // so nothing is sent twice and no side reads the other's state.
        if new.from && !old.from {
            self.presence_to(user, contact.clone().into());
        }
        if old.from && !new.from {
            self.unavailable_to(user, contact);
        }
    }
}
