//! Account administration as a library API, for admin commands and embedders: create, delete,
//! change password, list. The same operations back XEP-0077.

use crate::accounts::{derive_keys, prepare_name, AccountError};
use crate::server::Server;
use crate::Output;
use xmppkit_jid::BareJid;

impl Server {
    /// Creates the account `name` (prepared: `Alice` becomes `alice`) with `password`.
    pub fn create_account(&mut self, name: &str, password: &str) -> Result<BareJid, AccountError> {
        let name = prepare_name(name, &self.config.domain)?;
        if password.is_empty() {
            return Err(AccountError::EmptyPassword);
        }
        let keys = self.keys(password);
        self.accounts.create(&name, keys)?;
        Ok(self.jid_of(&name))
    }

    /// Deletes the account `name`: its sessions are closed, its roster, blocklist and offline
    /// messages removed.
    pub fn delete_account(&mut self, name: &str) -> Result<(), AccountError> {
        let name = prepare_name(name, &self.config.domain)?;
        self.accounts.delete(&name)?;
        let user = self.jid_of(&name);
        self.close_sessions_of(&user);
        self.rosters.remove(&user);
        self.blocklists.remove(&user);
        self.unloaded.remove(&user);
        self.forget_tokens(&user);
        let results = [
            self.roster_store.delete(&user),
            self.blocking_store.save(&user, &Default::default()),
            self.offline.delete(&user),
        ];
        for e in results.into_iter().filter_map(Result::err) {
            self.outputs.push_back(Output::StoreFailed(e));
        }
        Ok(())
    }

    /// Sets a new password for `name`.
    pub fn change_password(&mut self, name: &str, password: &str) -> Result<(), AccountError> {
        let name = prepare_name(name, &self.config.domain)?;
        if password.is_empty() {
            return Err(AccountError::EmptyPassword);
        }
        let keys = self.keys(password);
        self.accounts.set_keys(&name, keys)?;
        // XEP-0484: a new password ends every client's token.
        let user = self.jid_of(&name);
        self.forget_tokens(&user);
        Ok(())
    }

    /// Every account's localpart, sorted.
    pub fn users(&self) -> Vec<String> {
        self.accounts.users()
    }

    fn keys(&mut self, password: &str) -> [xmppkit_session::scram::ScramKeys; 2] {
        let mut salt = [0u8; 16];
        (self.random)(&mut salt);
        derive_keys(password, &salt, self.config.scram_iterations)
    }

    fn jid_of(&self, name: &str) -> BareJid {
        self.config
            .domain
            .domain()
            .with_node_str(name)
            .expect("a prepared name")
    }
}
