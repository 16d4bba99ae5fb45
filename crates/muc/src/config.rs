//! A room's configuration (§10.2) and its `muc#roomconfig` form (§15.5.3), with the disco
//! features (§15.3) and the `muc#roominfo` form (§6.4) that describe a room to outsiders.

use crate::{ns, Role};
use xmppkit_jid::BareJid;
use xmppkit_stanza::data_forms::{DataForm, Field, FieldType, FormType};

/// The most history messages a room may keep (`muc#maxhistoryfetch` above it is refused): the
/// history is held in memory.
pub const HISTORY_LIMIT: u32 = 1000;

/// Who may send private messages (`muc#roomconfig_allowpm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllowPm {
    /// Every occupant.
    #[default]
    Anyone,
    /// Participants and moderators.
    Participants,
    /// Moderators only.
    Moderators,
    /// Nobody.
    Nobody,
}

/// Who sees occupants' real JIDs (`muc#roomconfig_whois`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Whois {
    /// Moderators only: a semi-anonymous room.
    #[default]
    Moderators,
    /// Every occupant: a non-anonymous room.
    Anyone,
}

/// The configuration of a room. The defaults make a public, temporary, open, unmoderated,
/// semi-anonymous room without password.
///
/// ```
/// use xmppkit_muc::RoomConfig;
/// use xmppkit_stanza::data_forms::{DataForm, Field};
/// let mut config = RoomConfig::default();
/// let form = DataForm::submit("http://jabber.org/protocol/muc#roomconfig", vec![
///     Field::new("muc#roomconfig_roomname", ["A Dark Cave"]),
///     Field::new("muc#roomconfig_persistentroom", ["1"]),
///     Field::new("muc#roomconfig_membersonly", ["true"]),
/// ]);
/// config.apply(&form).unwrap();
/// assert_eq!(config.name, "A Dark Cave");
/// assert!(config.persistent && config.members_only);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomConfig {
    /// Natural-language name.
    pub name: String,
    /// Short description.
    pub description: String,
    /// Language of the discussion.
    pub lang: Option<String>,
    /// Whether messages are archived (status 170 on entry).
    pub enable_logging: bool,
    /// Whether participants (not only moderators) may change the subject.
    pub change_subject: bool,
    /// Whether occupants (not only moderators, or admins in members-only rooms) may invite.
    pub allow_invites: bool,
    /// Who may send private messages.
    pub allow_pm: AllowPm,
    /// The most occupants (admins and owners may always enter); `None`: no limit.
    pub max_users: Option<u32>,
    /// Listed in the service's disco#items.
    pub public: bool,
    /// Kept when the last occupant leaves.
    pub persistent: bool,
    /// Only participants and moderators may send to all.
    pub moderated: bool,
    /// Only members may enter.
    pub members_only: bool,
    /// The password, when the room is password-protected.
    pub password: Option<String>,
    /// Who sees real JIDs.
    pub whois: Whois,
    /// The roles whose presence is broadcast.
    pub presence_broadcast: Vec<Role>,
    /// The most history messages kept and sent on entry (`muc#maxhistoryfetch`).
    pub max_history: u32,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            name: String::new(),
            description: String::new(),
            lang: None,
            enable_logging: false,
            change_subject: false,
            allow_invites: false,
            allow_pm: AllowPm::Anyone,
            max_users: Some(200),
            public: true,
            persistent: false,
            moderated: false,
            members_only: false,
            password: None,
            whois: Whois::Moderators,
            presence_broadcast: vec![Role::Moderator, Role::Participant, Role::Visitor],
            max_history: 20,
        }
    }
}

/// A submitted configuration value that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The value does not fit the field.
    #[error("field `{field}`: `{value}` is not a valid value")]
    BadValue {
        /// The field.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A password-protected room needs a password.
    #[error("a password-protected room needs a non-empty muc#roomconfig_roomsecret")]
    MissingPassword,
    /// The form is not a `muc#roomconfig` submission.
    #[error("not a submitted muc#roomconfig form")]
    NotASubmission,
}

/// The owner and admin lists a submission sets (`roomowners`, `roomadmins`), when present.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListChanges {
    /// The owners to have.
    pub owners: Option<Vec<BareJid>>,
    /// The admins to have.
    pub admins: Option<Vec<BareJid>>,
}

const F: &str = "muc#roomconfig_";

fn boolean(var: &str, value: bool) -> Field {
    Field {
        type_: Some(FieldType::Boolean),
        ..Field::new(format!("{F}{var}"), [if value { "1" } else { "0" }])
    }
}

fn text(var: &str, type_: FieldType, value: &str) -> Field {
    Field {
        type_: Some(type_),
        ..Field::new(format!("{F}{var}"), [value])
    }
}

fn list(var: &str, type_: FieldType, values: Vec<&str>, options: &[&str]) -> Field {
    Field {
        type_: Some(type_),
        options: options.iter().map(|o| (None, (*o).to_owned())).collect(),
        ..Field::new(format!("{F}{var}"), values)
    }
}

fn jids(var: &str, values: &[BareJid]) -> Field {
    Field {
        type_: Some(FieldType::JidMulti),
        ..Field::new(format!("{F}{var}"), values.iter().map(|j| j.to_string()))
    }
}

const ROLES: [(Role, &str); 3] = [
    (Role::Moderator, "moderator"),
    (Role::Participant, "participant"),
    (Role::Visitor, "visitor"),
];

impl RoomConfig {
    /// The configuration form with the current values (§10.2, Example 165), listing `owners`
    /// and `admins`.
    pub fn to_form(&self, owners: &[BareJid], admins: &[BareJid]) -> DataForm {
        let allow_pm = match self.allow_pm {
            AllowPm::Anyone => "anyone",
            AllowPm::Participants => "participants",
            AllowPm::Moderators => "moderators",
            AllowPm::Nobody => "none",
        };
        let whois = match self.whois {
            Whois::Moderators => "moderators",
            Whois::Anyone => "anyone",
        };
        let max_users = self.max_users.map_or("none".to_owned(), |m| m.to_string());
        let broadcast = ROLES
            .iter()
            .filter(|(r, _)| self.presence_broadcast.contains(r))
            .map(|(_, n)| *n)
            .collect();
        let mut form = DataForm::new(
            FormType::Form,
            vec![
                Field::form_type(ns::ROOMCONFIG),
                text("roomname", FieldType::TextSingle, &self.name),
                text("roomdesc", FieldType::TextSingle, &self.description),
                text(
                    "lang",
                    FieldType::TextSingle,
                    self.lang.as_deref().unwrap_or(""),
                ),
                boolean("enablelogging", self.enable_logging),
                boolean("changesubject", self.change_subject),
                boolean("allowinvites", self.allow_invites),
                list(
                    "allowpm",
                    FieldType::ListSingle,
                    vec![allow_pm],
                    &["anyone", "participants", "moderators", "none"],
                ),
                list(
                    "maxusers",
                    FieldType::ListSingle,
                    vec![&max_users],
                    &["10", "20", "30", "50", "100", "200", "none"],
                ),
                boolean("publicroom", self.public),
                boolean("persistentroom", self.persistent),
                boolean("moderatedroom", self.moderated),
                boolean("membersonly", self.members_only),
                boolean("passwordprotectedroom", self.password.is_some()),
                text(
                    "roomsecret",
                    FieldType::TextPrivate,
                    self.password.as_deref().unwrap_or(""),
                ),
                list(
                    "whois",
                    FieldType::ListSingle,
                    vec![whois],
                    &["moderators", "anyone"],
                ),
                list(
                    "presencebroadcast",
                    FieldType::ListMulti,
                    broadcast,
                    &["moderator", "participant", "visitor"],
                ),
                jids("roomowners", owners),
                jids("roomadmins", admins),
                Field {
                    type_: Some(FieldType::TextSingle),
                    ..Field::new("muc#maxhistoryfetch", [self.max_history.to_string()])
                },
            ],
        );
        form.title = Some(format!("Configuration for {}", self.name));
        form
    }

    /// Applies a submitted form: every field given replaces the value; fields not given keep
    /// theirs; unknown fields are ignored. Nothing changes when a value is bad.
    pub fn apply(&mut self, form: &DataForm) -> Result<ListChanges, ConfigError> {
        if form.type_ != FormType::Submit || form.form_type().is_some_and(|t| t != ns::ROOMCONFIG) {
            return Err(ConfigError::NotASubmission);
        }
        let mut next = self.clone();
        let mut lists = ListChanges::default();
        let mut secret: Option<String> = None;
        let mut protected: Option<bool> = None;
        for field in &form.fields {
            let Some(var) = field.var.as_deref() else {
                continue;
            };
            let value = field.values.first().map(String::as_str).unwrap_or("");
            let name: &'static str = match var.strip_prefix(F) {
                Some(name) => FIELDS.iter().find(|f| **f == name).copied().unwrap_or(""),
                None if var == "muc#maxhistoryfetch" => "maxhistoryfetch",
                None => "",
            };
            let bad = || ConfigError::BadValue {
                field: name,
                value: value.to_owned(),
            };
            let flag = || field.as_bool().ok_or_else(bad);
            match name {
                "roomname" => next.name = value.to_owned(),
                "roomdesc" => next.description = value.to_owned(),
                "lang" => next.lang = Some(value.to_owned()).filter(|l| !l.is_empty()),
                "enablelogging" => next.enable_logging = flag()?,
                "changesubject" => next.change_subject = flag()?,
                "allowinvites" => next.allow_invites = flag()?,
                "publicroom" => next.public = flag()?,
                "persistentroom" => next.persistent = flag()?,
                "moderatedroom" => next.moderated = flag()?,
                "membersonly" => next.members_only = flag()?,
                "passwordprotectedroom" => protected = Some(flag()?),
                "roomsecret" => secret = Some(value.to_owned()),
                "allowpm" => {
                    next.allow_pm = match value {
                        "anyone" => AllowPm::Anyone,
                        "participants" => AllowPm::Participants,
                        "moderators" => AllowPm::Moderators,
                        "none" => AllowPm::Nobody,
                        _ => return Err(bad()),
                    }
                }
                "whois" => {
                    next.whois = match value {
                        "moderators" => Whois::Moderators,
                        "anyone" => Whois::Anyone,
                        _ => return Err(bad()),
                    }
                }
                "maxusers" => {
                    next.max_users = match value {
                        "none" | "" => None,
                        v => Some(v.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?),
                    }
                }
                "maxhistoryfetch" => {
                    next.max_history = value
                        .parse()
                        .ok()
                        .filter(|n| *n <= HISTORY_LIMIT)
                        .ok_or_else(bad)?
                }
                "presencebroadcast" => {
                    next.presence_broadcast = field
                        .values
                        .iter()
                        .map(|v| v.parse::<Role>().ok().filter(|r| *r != Role::None))
                        .collect::<Option<_>>()
                        .ok_or_else(bad)?;
                }
                "roomowners" | "roomadmins" => {
                    let jids = field
                        .values
                        .iter()
                        .filter(|v| !v.is_empty())
                        .map(|v| v.parse::<BareJid>().ok())
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(bad)?;
                    if name == "roomowners" {
                        lists.owners = Some(jids);
                    } else {
                        lists.admins = Some(jids);
                    }
                }
                _ => {}
            }
        }
        let was_protected = self.password.is_some();
        match (protected.unwrap_or(was_protected), secret) {
            (false, _) => next.password = None,
            (true, Some(s)) if !s.is_empty() => next.password = Some(s),
            (true, Some(_)) => return Err(ConfigError::MissingPassword),
            (true, None) if next.password.is_none() => return Err(ConfigError::MissingPassword),
            (true, None) => {}
        }
        *self = next;
        Ok(lists)
    }

    /// The room's disco#info features of §15.3 (one of each pair).
    pub fn features(&self) -> [&'static str; 6] {
        let pick = |on: bool, yes, no| if on { yes } else { no };
        [
            pick(self.public, "muc_public", "muc_hidden"),
            pick(self.persistent, "muc_persistent", "muc_temporary"),
            pick(self.members_only, "muc_membersonly", "muc_open"),
            pick(self.moderated, "muc_moderated", "muc_unmoderated"),
            pick(
                self.whois == Whois::Anyone,
                "muc_nonanonymous",
                "muc_semianonymous",
            ),
            pick(
                self.password.is_some(),
                "muc_passwordprotected",
                "muc_unsecured",
            ),
        ]
    }

    /// The `muc#roominfo` form of §6.4 (a disco#info extension).
    pub fn info_form(&self, occupants: usize, subject: Option<&str>) -> DataForm {
        let field = |var: &str, value: String| Field::new(format!("muc#roominfo_{var}"), [value]);
        let mut fields = vec![
            Field::form_type(ns::ROOMINFO),
            field("description", self.description.clone()),
            field("occupants", occupants.to_string()),
            field("subject", subject.unwrap_or("").to_owned()),
            Field {
                type_: Some(FieldType::Boolean),
                ..field("subjectmod", u8::from(self.change_subject).to_string())
            },
        ];
        if let Some(lang) = &self.lang {
            fields.push(field("lang", lang.clone()));
        }
        DataForm::new(FormType::Result, fields)
    }
}

const FIELDS: [&str; 19] = [
    "roomname",
    "roomdesc",
    "lang",
    "enablelogging",
    "changesubject",
    "allowinvites",
    "allowpm",
    "maxusers",
    "publicroom",
    "persistentroom",
    "moderatedroom",
    "membersonly",
    "passwordprotectedroom",
    "roomsecret",
    "whois",
    "presencebroadcast",
    "roomowners",
    "roomadmins",
    "maxhistoryfetch",
];
