//! The status codes of §15.6 (Status Codes Registry) that this crate sends or reads.

/// Any occupant may see real JIDs (non-anonymous room).
pub const NON_ANONYMOUS: u16 = 100;
/// The presence is the occupant's own (self-presence).
pub const SELF_PRESENCE: u16 = 110;
/// A configuration change that does not touch privacy.
pub const CONFIG_CHANGED: u16 = 104;
/// The room is being logged (archived).
pub const LOGGING_ON: u16 = 170;
/// The room is no longer logged.
pub const LOGGING_OFF: u16 = 171;
/// The room is now non-anonymous.
pub const NOW_NON_ANONYMOUS: u16 = 172;
/// The room is now semi-anonymous.
pub const NOW_SEMI_ANONYMOUS: u16 = 173;
/// A new room was created.
pub const CREATED: u16 = 201;
/// The service changed the occupant's nick.
pub const NICK_ASSIGNED: u16 = 210;
/// Banned.
pub const BANNED: u16 = 301;
/// The occupant changed nick.
pub const NICK_CHANGED: u16 = 303;
/// Kicked.
pub const KICKED: u16 = 307;
/// Removed because of an affiliation change (members-only room).
pub const AFFILIATION_REMOVED: u16 = 321;
/// Removed because the room became members-only.
pub const MEMBERS_ONLY_REMOVED: u16 = 322;
/// Removed because the service shuts down.
pub const SHUTDOWN: u16 = 332;
/// Removed because of a technical problem (an error reply).
pub const ERROR_REMOVED: u16 = 333;
