//! `--fast FILE`: where the client keeps what XEP-0484 FAST needs between runs: its installation
//! id (the SASL2 `<user-agent id>`, made on first use) and the token the server last issued. Two
//! lines: the id, then `token<TAB>mechanism<TAB>expiry<TAB>count` when there is a token (count:
//! the XEP-0484 replay counter last used, stored before each use so that it never repeats). The
//! file holds a secret as good as the password, so it is written for its owner only.

use std::path::Path;
use xmppkit::session::sasl2::UserAgent;
use xmppkit::session::ClientToken;

/// The user agent and the token kept in `path` (a new id when the file does not exist yet).
pub fn load(path: &Path) -> Result<(UserAgent, Option<ClientToken>), String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut lines = text.lines();
    let id = match lines.next().filter(|l| !l.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let id = crate::client_io::nonce();
            save(path, &id, None)?;
            id
        }
    };
    let token = lines.next().and_then(|line| {
        let mut parts = line.split('\t');
        Some(ClientToken {
            token: parts.next()?.to_owned(),
            mechanism: parts.next()?.to_owned(),
            expiry: parts.next().unwrap_or_default().to_owned(),
            count: parts.next().and_then(|c| c.parse().ok()),
        })
    });
    let agent = UserAgent {
        id: Some(id),
        software: Some("xmppkit example client".into()),
        device: None,
    };
    Ok((agent, token))
}

/// Keeps `token` (or forgets the one kept) for the installation `id`.
pub fn save(path: &Path, id: &str, token: Option<&ClientToken>) -> Result<(), String> {
    let mut text = format!("{id}\n");
    if let Some(t) = token {
        let count = t.count.map(|c| c.to_string()).unwrap_or_default();
        text.push_str(&format!(
            "{}\t{}\t{}\t{count}\n",
            t.token, t.mechanism, t.expiry
        ));
    }
    write_private(path, &text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}
