//! The `prosodyctl`-style commands: `adduser JID [--password P]`, `deluser JID`,
//! `passwd JID [--password P]`, `users` (without `--password` the password is read from the
//! terminal). They change the accounts in the store, through the server engine, so a deleted
//! account loses its roster, blocklist and offline messages too, and a running server sees the
//! change at the next login. The memory store has nothing to change: they refuse it.

use crate::config::Settings;
use crate::store::{self, Choice};
use xmppkit::server::{AccountError, Config, Server};

/// Runs `command`.
pub fn run(settings: &Settings, command: Vec<String>) -> Result<(), String> {
    let choice = settings.store()?;
    if choice == Choice::Memory {
        return Err(
            "the memory store keeps nothing: the admin commands need --store sqlite:PATH or postgres://…".into(),
        );
    }
    let opened = store::open(&choice)?;

    /// The prepared name of `jid` (a bare name is on the served domain).
    fn name_of(settings: &Settings, jid: &str) -> Result<String, String> {
        let (name, domain) = jid.split_once('@').unwrap_or((jid, &settings.domain));
        if domain != settings.domain {
            return Err(format!("{jid} is not on {}", settings.domain));
        }
        let domain_jid = settings.domain.parse().map_err(|e| format!("{e}"))?;
        xmppkit::server::prepare_name(name, &domain_jid).map_err(|e| e.to_string())
    }

    /// `--password P` from `args`, or a line from the terminal.
    fn password(args: &[String]) -> Result<String, String> {
        match args.iter().position(|a| a == "--password") {
            Some(i) => args
                .get(i + 1)
                .cloned()
                .ok_or("--password needs a value".into()),
            None => {
                eprint!("password: ");
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                Ok(line.trim_end_matches(['\r', '\n']).to_owned())
            }
        }
    }

    let domain = settings
        .domain
        .parse()
        .map_err(|e| format!("domain: {e}"))?;
    let mut server = Server::new(
        Config::new(domain),
        opened.stores_for(&xmppkit::server::Shards::default())?,
        Box::new(crate::random_bytes),
        crate::now(),
    );
    let said = |jid: &str, e: AccountError| match e {
        AccountError::NotFound(_) => format!("no account {jid}"),
        AccountError::Exists(_) => format!("{jid} exists already"),
        e => format!("{jid}: {e}"),
    };
    match command.as_slice() {
        [cmd] if cmd == "users" => {
            for name in server.users() {
                println!("{name}@{}", settings.domain);
            }
        }
        [cmd, jid, rest @ ..] if cmd == "adduser" => {
            let name = name_of(settings, jid)?;
            server
                .create_account(&name, &password(rest)?)
                .map_err(|e| said(jid, e))?;
        }
        [cmd, jid, rest @ ..] if cmd == "passwd" => {
            let name = name_of(settings, jid)?;
            server
                .change_password(&name, &password(rest)?)
                .map_err(|e| said(jid, e))?;
        }
        [cmd, jid] if cmd == "deluser" => {
            let name = name_of(settings, jid)?;
            server.delete_account(&name).map_err(|e| said(jid, e))?;
        }
        _ => return Err(format!("unknown command {}", command.join(" "))),
    }
    // What went behind (a deleted account's roster and offline messages) is durable before
    // the command says it is done.
    match &opened.db {
        Some(db) => db.flush(),
        None => Ok(()),
    }
}
