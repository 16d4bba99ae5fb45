//! The `prosodyctl`-style commands: `adduser JID [--password P]`, `deluser JID`,
//! `passwd JID [--password P]`, `users` (without `--password` the password is read from the
//! terminal). On a database store they change the accounts in it, through the server engine, so
//! a deleted account loses its roster, blocklist and offline messages too, and a running server
//! sees the change at the next login. On the memory store they edit the accounts file that the
//! server reads at start.

use crate::config::{self, Settings};
use crate::store::{self, Choice};
use xmppkit::server::{AccountError, Config, Server};

/// Runs `command`.
pub fn run(settings: &Settings, command: Vec<String>) -> Result<(), String> {
    match settings.store()? {
        Choice::Memory => on_file(settings, command),
        choice => on_store(settings, &choice, command),
    }
}

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

fn on_store(settings: &Settings, choice: &Choice, command: Vec<String>) -> Result<(), String> {
    let opened = store::open(choice)?;
    let domain = settings
        .domain
        .parse()
        .map_err(|e| format!("domain: {e}"))?;
    let mut server = Server::new(
        Config::new(domain),
        opened.stores,
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
    Ok(())
}

fn on_file(settings: &Settings, command: Vec<String>) -> Result<(), String> {
    let path = settings.accounts.clone().ok_or(
        "with --store memory the admin commands need --users FILE (or accounts in --config)",
    )?;
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut accounts = config::read_accounts(&text)?;
    let exists =
        |accounts: &[(String, String)], name: &str| accounts.iter().position(|(n, _)| n == name);
    match command.as_slice() {
        [cmd] if cmd == "users" => {
            for (name, _) in &accounts {
                println!("{name}@{}", settings.domain);
            }
            return Ok(());
        }
        [cmd, jid, rest @ ..] if cmd == "adduser" => {
            let name = name_of(settings, jid)?;
            if exists(&accounts, &name).is_some() {
                return Err(format!("{name}@{} exists already", settings.domain));
            }
            accounts.push((name, password(rest)?));
        }
        [cmd, jid, rest @ ..] if cmd == "passwd" => {
            let name = name_of(settings, jid)?;
            let i = exists(&accounts, &name).ok_or(format!("no account {jid}"))?;
            accounts[i].1 = password(rest)?;
        }
        [cmd, jid] if cmd == "deluser" => {
            let name = name_of(settings, jid)?;
            let i = exists(&accounts, &name).ok_or(format!("no account {jid}"))?;
            accounts.remove(i);
        }
        _ => return Err(format!("unknown command {}", command.join(" "))),
    }
    let text: String = accounts
        .iter()
        .map(|(n, p)| format!("{n} = {p:?}\n"))
        .collect();
    std::fs::write(&path, text).map_err(|e| format!("{path}: {e}"))
}
