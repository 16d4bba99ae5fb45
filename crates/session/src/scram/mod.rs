//! SCRAM (RFC 5802) with SHA-1, SHA-256 (RFC 7677) and SHA-512, in both roles, with channel
//! binding for the `-PLUS` mechanisms (`tls-exporter`, RFC 9266; `tls-server-end-point`,
//! RFC 5929; advertised by XEP-0440), downgrade protection (XEP-0474) and passwords prepared by
//! the PRECIS OpaqueString profile (RFC 8265).
//!
//! Written here rather than taken from the `sasl` crate because a sans-IO session must be handed
//! its randomness: the nonce comes in as an argument (the `sasl` crate draws it from the OS and
//! offers no way in outside its own tests), which also makes the RFC test vectors checkable. The
//! server side works from [`ScramKeys`] (salt, iteration count, StoredKey, ServerKey): it never
//! needs the password. The TLS data to bind to comes from the application ([`ChannelBindings`]),
//! which reads it from its TLS library.

mod binding;
mod client;
mod end_point;
mod hash;
mod keys;
mod message;
mod server;
mod ssdp;
#[cfg(test)]
mod tests;

pub use binding::{advertised, feature, CbType, ChannelBindings, ClientBinding, NS_SASL_CB};
pub use client::ScramClient;
pub use end_point::tls_server_end_point;
pub use hash::ScramHash;
pub use keys::{prepare_password, ScramKeys};
pub use server::{ScramServer, ServerStep};
pub use ssdp::ssdp_hash;
use thiserror::Error;

/// A SCRAM exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScramError {
    /// A message did not have the RFC 5802 §7 syntax.
    #[error("malformed SCRAM message: {0}")]
    Malformed(&'static str),
    /// The server's nonce does not extend the client's.
    #[error("the server nonce does not start with the client nonce")]
    NonceMismatch,
    /// The iteration count is zero or absurdly high.
    #[error("unacceptable iteration count {0}")]
    Iterations(u32),
    /// The client's proof is wrong: wrong password (or wrong keys).
    #[error("client proof does not verify")]
    BadProof,
    /// The server's signature is wrong: the server does not know the password (a man in the middle).
    #[error("server signature does not verify")]
    BadServerSignature,
    /// The server reported an error (`e=`).
    #[error("server error: {0}")]
    Server(String),
    /// The client asked to bind to a channel-binding type this connection does not provide.
    #[error("unsupported channel binding type `{0}`")]
    UnsupportedBinding(String),
    /// The client said it could bind but saw no `-PLUS` mechanism, while this server offered one:
    /// someone removed them on the way (RFC 5802 §6).
    #[error("the client saw no channel binding offered, but the server offers it")]
    ServerSupportsBinding,
    /// The channel-binding data the client proved does not match this connection's: the TLS
    /// connection ends elsewhere than the client's (a man in the middle).
    #[error("channel binding data do not match")]
    BindingMismatch,
    /// The server's downgrade-protection hash (XEP-0474) does not match what the client saw
    /// advertised: mechanisms or channel-binding types were removed on the way.
    #[error("the advertised mechanisms or channel bindings were tampered with")]
    Downgrade,
}
