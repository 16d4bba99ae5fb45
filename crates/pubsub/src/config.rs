//! A node's configuration (`pubsub#node_config`, §16.4.4) with its form, and the
//! `publish-options` preconditions of §7.1.5 checked against it.

use crate::model::{AccessModel, PublishModel, SendLastItem};
use crate::ns;
use xmppkit_stanza::data_forms::{DataForm, Field, FieldType, FormType};

/// The most items any node keeps (`pubsub#max_items` = `max` means this): items are held in
/// memory by [`crate::MemoryStore`].
pub const ITEMS_LIMIT: u32 = 10_000;

/// A node's configuration. The defaults are those of a generic service: open access,
/// publishers publish, persistent items with payloads, the last 10 items, every notification on,
/// the last item sent on subscription.
///
/// ```
/// use xmppkit_pubsub::{AccessModel, NodeConfig};
/// use xmppkit_stanza::data_forms::{DataForm, Field};
/// let mut config = NodeConfig::default();
/// config.apply(&DataForm::submit("http://jabber.org/protocol/pubsub#node_config", vec![
///     Field::new("pubsub#access_model", ["whitelist"]),
///     Field::new("pubsub#max_items", ["max"]),
/// ])).unwrap();
/// assert_eq!(config.access_model, AccessModel::Whitelist);
/// assert_eq!(config.max_items, xmppkit_pubsub::ITEMS_LIMIT);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeConfig {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Who may subscribe and retrieve.
    pub access_model: AccessModel,
    /// Who may publish.
    pub publish_model: PublishModel,
    /// Roster groups allowed under the `roster` access model.
    pub roster_groups_allowed: Vec<String>,
    /// Items are stored (else only notified).
    pub persist_items: bool,
    /// The most items kept; the oldest go first.
    pub max_items: u32,
    /// Notifications carry the payload.
    pub deliver_payloads: bool,
    /// Notifications are sent at all.
    pub deliver_notifications: bool,
    /// Retractions are notified.
    pub notify_retract: bool,
    /// Deletion of the node is notified.
    pub notify_delete: bool,
    /// Configuration changes are notified.
    pub notify_config: bool,
    /// When a subscriber gets the last item.
    pub send_last_published_item: SendLastItem,
    /// The payload namespace the node carries (`pubsub#type`), when fixed.
    pub payload_type: Option<String>,
    /// Notifications say who published (`pubsub#itemreply` = publisher).
    pub item_reply_publisher: bool,
}

impl Default for NodeConfig {
    fn default() -> Self {
        NodeConfig {
            title: String::new(),
            description: String::new(),
            access_model: AccessModel::Open,
            publish_model: PublishModel::Publishers,
            roster_groups_allowed: Vec::new(),
            persist_items: true,
            max_items: 10,
            deliver_payloads: true,
            deliver_notifications: true,
            notify_retract: true,
            notify_delete: true,
            notify_config: false,
            send_last_published_item: SendLastItem::OnSub,
            payload_type: None,
            item_reply_publisher: false,
        }
    }
}

/// A submitted value that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A field's value does not fit it.
    #[error("field `{field}`: `{value}` is not a valid value")]
    BadValue {
        /// The field.
        field: String,
        /// The value.
        value: String,
    },
    /// The value asks for a feature this service does not have (collection nodes, XEP-0248).
    #[error("`{0}` is not supported")]
    Unsupported(&'static str),
    /// The form is not a `pubsub#node_config` submission.
    #[error("not a submitted pubsub#node_config form")]
    NotASubmission,
}

/// Why a `publish-options` precondition fails (§7.1.5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreconditionError {
    /// The node's value differs: `conflict` with `<precondition-not-met/>`.
    #[error("precondition `{0}` is not met")]
    NotMet(String),
    /// The field is not a node configuration field: `bad-request` with `<invalid-options/>`.
    #[error("`{0}` is not a node configuration field")]
    Unknown(String),
}

fn field(var: &str, type_: FieldType, values: Vec<String>) -> Field {
    Field {
        type_: Some(type_),
        ..Field::new(format!("pubsub#{var}"), values)
    }
}

fn flag(var: &str, on: bool) -> Field {
    field(
        var,
        FieldType::Boolean,
        vec![if on { "1" } else { "0" }.into()],
    )
}

fn list(var: &str, value: &str, options: &[&str]) -> Field {
    Field {
        options: options.iter().map(|o| (None, (*o).to_owned())).collect(),
        ..field(var, FieldType::ListSingle, vec![value.to_owned()])
    }
}

impl NodeConfig {
    /// The configuration form with the current values (§8.2.1).
    pub fn to_form(&self) -> DataForm {
        let text = |var: &str, v: &str| field(var, FieldType::TextSingle, vec![v.to_owned()]);
        DataForm::new(
            FormType::Form,
            vec![
                Field::form_type(ns::NODE_CONFIG),
                text("title", &self.title),
                text("description", &self.description),
                list(
                    "access_model",
                    self.access_model.name(),
                    &["open", "presence", "roster", "authorize", "whitelist"],
                ),
                list(
                    "publish_model",
                    self.publish_model.name(),
                    &["publishers", "subscribers", "open"],
                ),
                field(
                    "roster_groups_allowed",
                    FieldType::ListMulti,
                    self.roster_groups_allowed.clone(),
                ),
                flag("persist_items", self.persist_items),
                text("max_items", &self.max_items.to_string()),
                flag("deliver_payloads", self.deliver_payloads),
                flag("deliver_notifications", self.deliver_notifications),
                flag("notify_retract", self.notify_retract),
                flag("notify_delete", self.notify_delete),
                flag("notify_config", self.notify_config),
                list(
                    "send_last_published_item",
                    self.send_last_published_item.name(),
                    &["never", "on_sub", "on_sub_and_presence"],
                ),
                text("type", self.payload_type.as_deref().unwrap_or("")),
                list(
                    "itemreply",
                    if self.item_reply_publisher {
                        "publisher"
                    } else {
                        "owner"
                    },
                    &["owner", "publisher"],
                ),
            ],
        )
    }

    /// Applies a submitted form (§8.2.4): fields given replace values, others stay, unknown
    /// ones are ignored. Nothing changes when a value is bad.
    pub fn apply(&mut self, form: &DataForm) -> Result<(), ConfigError> {
        if form.type_ != FormType::Submit || form.form_type().is_some_and(|t| t != ns::NODE_CONFIG)
        {
            return Err(ConfigError::NotASubmission);
        }
        let mut next = self.clone();
        for f in &form.fields {
            let Some(var) = f.var.as_deref() else {
                continue;
            };
            let Some(name) = var.strip_prefix("pubsub#") else {
                continue;
            };
            next.set(name, f)?;
        }
        *self = next;
        Ok(())
    }

    fn set(&mut self, name: &str, f: &Field) -> Result<(), ConfigError> {
        let value = f.values.first().map(String::as_str).unwrap_or("");
        let bad = || ConfigError::BadValue {
            field: format!("pubsub#{name}"),
            value: value.to_owned(),
        };
        let flag = || f.as_bool().ok_or_else(bad);
        match name {
            "node_type" => match value {
                "leaf" | "" => {}
                "collection" => return Err(ConfigError::Unsupported("collections")),
                _ => return Err(bad()),
            },
            "title" => self.title = value.to_owned(),
            "description" => self.description = value.to_owned(),
            "access_model" => self.access_model = value.parse().map_err(|_| bad())?,
            "publish_model" => self.publish_model = value.parse().map_err(|_| bad())?,
            "roster_groups_allowed" => self.roster_groups_allowed = f.values.clone(),
            "persist_items" => self.persist_items = flag()?,
            "max_items" => {
                self.max_items = match value {
                    "max" => ITEMS_LIMIT,
                    v => v
                        .parse()
                        .ok()
                        .filter(|n| *n <= ITEMS_LIMIT)
                        .ok_or_else(bad)?,
                }
            }
            "deliver_payloads" => self.deliver_payloads = flag()?,
            "deliver_notifications" => self.deliver_notifications = flag()?,
            "notify_retract" => self.notify_retract = flag()?,
            "notify_delete" => self.notify_delete = flag()?,
            "notify_config" => self.notify_config = flag()?,
            "send_last_published_item" => {
                self.send_last_published_item = value.parse().map_err(|_| bad())?
            }
            "type" => self.payload_type = Some(value.to_owned()).filter(|t| !t.is_empty()),
            "itemreply" => {
                self.item_reply_publisher = match value {
                    "publisher" => true,
                    "owner" => false,
                    _ => return Err(bad()),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks `publish-options` preconditions (§7.1.5): each field must name a node
    /// configuration field whose value is the node's. Values are compared as the node would
    /// hold them (booleans as booleans, `max_items` `max` as the limit), so that a client that
    /// created a node with some options can publish again with the same ones (XEP-0490, XEP-0223).
    pub fn check_preconditions(&self, options: &DataForm) -> Result<(), PreconditionError> {
        let current = self.to_form();
        for f in &options.fields {
            let Some(var) = f.var.as_deref() else {
                continue;
            };
            if var == "FORM_TYPE" {
                continue;
            }
            let Some(have) = current.field(var) else {
                return Err(PreconditionError::Unknown(var.to_owned()));
            };
            let mut probe = self.clone();
            let applied = probe
                .apply(&DataForm::submit(ns::NODE_CONFIG, vec![f.clone()]))
                .is_ok();
            let same =
                applied && probe.to_form().field(var).map(|p| &p.values) == Some(&have.values);
            if !same {
                return Err(PreconditionError::NotMet(var.to_owned()));
            }
        }
        Ok(())
    }

    /// A node configured by preconditions (auto-create with `publish-options`, §7.1.5): the
    /// defaults, then each precondition applied as a value.
    pub fn with_preconditions(mut self, options: &DataForm) -> Result<Self, ConfigError> {
        let mut submitted = options.clone();
        submitted.type_ = FormType::Submit;
        submitted
            .fields
            .retain(|f| f.var.as_deref() != Some("FORM_TYPE"));
        self.apply(&submitted)?;
        Ok(self)
    }
}
