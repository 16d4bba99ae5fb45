//! What a store says when it fails. The engine keeps serving: a failed write is reported as
//! [`Output::StoreFailed`](crate::Output::StoreFailed), a failed offline write answers the sender
//! with `internal-server-error`, and a roster or blocklist that could not be loaded is never
//! written back over the stored one.

/// A store operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The backend refused or could not be reached (a database error, a full disk).
    #[error("the {store} store failed: {reason}")]
    Backend {
        /// Which store (`rosters`, `offline`, `blocking`, `accounts`, ...).
        store: &'static str,
        /// What the backend said.
        reason: String,
    },
    /// Stored data could not be read back.
    #[error("the {store} store holds unreadable data: {reason}")]
    Corrupt {
        /// Which store.
        store: &'static str,
        /// What could not be read.
        reason: String,
    },
}
