//! The XEP-0313 elements (`urn:xmpp:mam:2`): the query with its form fields and RSM set (§4),
//! `<result/>` (§4.2), `<fin/>` (§4.3), `<flip-page/>`, the metadata query (§5.1), preferences
//! (§6) and the form the server advertises (§4.1.3).

use minidom::Element;
use xmppkit_jid::Jid;
use xmppkit_stanza::data_forms::{DataForm, Field, FieldType, FormType};
use xmppkit_stanza::datetime::DateTime;
use xmppkit_stanza::forwarding::Forwarded;
use xmppkit_stanza::rsm::Set;
use xmppkit_stanza::{ns, set_attr, ParseError, Tag};

/// `urn:xmpp:mam:2`.
pub const NS: &str = "urn:xmpp:mam:2";
/// `urn:xmpp:mam:2#extended`: before-id, after-id, ids, flip-page, metadata.
pub const NS_EXTENDED: &str = "urn:xmpp:mam:2#extended";

const QUERY: Tag = Tag::new("query", NS);
const RESULT: Tag = Tag::new("result", NS);
const FIN: Tag = Tag::new("fin", NS);
const METADATA: Tag = Tag::new("metadata", NS);
const PREFS: Tag = Tag::new("prefs", NS);

/// Which messages a query selects (the form fields of §4.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// `with`: the other party (a bare JID matches every resource).
    pub with: Option<Jid>,
    /// `start`: at or after this time.
    pub start: Option<DateTime>,
    /// `end`: at or before this time.
    pub end: Option<DateTime>,
    /// `after-id`: strictly after this archive id.
    pub after_id: Option<String>,
    /// `before-id`: strictly before this archive id.
    pub before_id: Option<String>,
    /// `ids`: exactly these archive ids.
    pub ids: Vec<String>,
    /// `{urn:xmpp:fulltext:0}fulltext` (XEP-0431): messages whose body has every word of it
    /// (see [`fulltext`](crate::fulltext)); an empty one is no filter.
    pub fulltext: Option<String>,
}

/// Why a query's form cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// A field the server does not know: `feature-not-implemented` (§4.1.3).
    #[error("unknown query field `{0}`")]
    UnknownField(String),
    /// A value that does not parse, or a wrong FORM_TYPE: `bad-request`.
    #[error("bad query field `{field}`: {reason}")]
    BadField {
        /// The field.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

impl Filter {
    /// Reads a submitted query form.
    pub fn from_form(form: &DataForm) -> Result<Self, FormError> {
        let mut filter = Filter::default();
        for field in &form.fields {
            let var = field.var.as_deref().unwrap_or_default();
            let value = field.values.first().map(String::as_str);
            let bad = |reason: &str| FormError::BadField {
                field: var.to_owned(),
                reason: reason.to_owned(),
            };
            let time = |v: Option<&str>| {
                v.map(|v| v.parse::<DateTime>().map_err(|e| bad(&e.to_string())))
                    .transpose()
            };
            match var {
                "FORM_TYPE" if value == Some(NS) => {}
                "FORM_TYPE" => return Err(bad("not urn:xmpp:mam:2")),
                "with" => {
                    filter.with = value
                        .map(|v| v.parse::<Jid>().map_err(|e| bad(&e.to_string())))
                        .transpose()?
                }
                "start" => filter.start = time(value)?,
                "end" => filter.end = time(value)?,
                "after-id" => filter.after_id = value.map(str::to_owned),
                "before-id" => filter.before_id = value.map(str::to_owned),
                "ids" => filter.ids = field.values.clone(),
                crate::fulltext::FIELD => {
                    filter.fulltext = value.filter(|v| !v.trim().is_empty()).map(str::to_owned)
                }
                other => return Err(FormError::UnknownField(other.to_owned())),
            }
        }
        Ok(filter)
    }

    /// The submitted form for this filter.
    pub fn to_form(&self) -> DataForm {
        let mut fields = Vec::new();
        let mut text = |var: &str, value: Option<String>| {
            if let Some(value) = value {
                fields.push(Field::new(var, [value]));
            }
        };
        text("with", self.with.as_ref().map(|j| j.to_string()));
        text("start", self.start.map(|t| t.to_string()));
        text("end", self.end.map(|t| t.to_string()));
        text("after-id", self.after_id.clone());
        text("before-id", self.before_id.clone());
        if !self.ids.is_empty() {
            fields.push(Field::new("ids", self.ids.clone()));
        }
        if let Some(text) = &self.fulltext {
            fields.push(Field::new(crate::fulltext::FIELD, [text.clone()]));
        }
        DataForm::submit(NS, fields)
    }
}

/// A query (§4): `<query queryid? node?><x/>?<set/>?<flip-page/>?</query>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Ties results to this query.
    pub queryid: Option<String>,
    /// A pubsub node (unused by user and room archives).
    pub node: Option<String>,
    /// The form, as sent (parse it with [`Filter::from_form`]).
    pub form: Option<DataForm>,
    /// Paging.
    pub set: Option<Set>,
    /// `<flip-page/>`: results of the page in reverse order.
    pub flip_page: bool,
}

impl TryFrom<Element> for Query {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        let mut query = Query {
            queryid: el.attr("queryid").map(str::to_owned),
            node: el.attr("node").map(str::to_owned),
            ..Query::default()
        };
        for child in el.children() {
            if child.is("x", ns::DATA_FORMS) {
                query.form = Some(DataForm::try_from(child.clone())?);
            } else if child.is("set", ns::RSM) {
                query.set = Some(Set::try_from(child.clone())?);
            } else if child.is("flip-page", NS) {
                query.flip_page = true;
            } else {
                return Err(QUERY.bad_content(format!("unexpected <{}/>", child.name())));
            }
        }
        Ok(query)
    }
}

impl From<Query> for Element {
    fn from(q: Query) -> Element {
        let mut el = QUERY.element();
        if let Some(id) = q.queryid {
            set_attr(&mut el, "queryid", id);
        }
        if let Some(node) = q.node {
            set_attr(&mut el, "node", node);
        }
        if let Some(form) = q.form {
            el.append_child(form.into());
        }
        if let Some(set) = q.set {
            el.append_child(set.into());
        }
        if q.flip_page {
            el.append_child(Element::builder("flip-page", NS).build());
        }
        el
    }
}

/// One archived message sent back for a query (§4.2), inside a `<message/>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultItem {
    /// The query's `queryid`.
    pub queryid: Option<String>,
    /// The message's archive id (its stanza-id).
    pub id: String,
    /// The message with its delay.
    pub forwarded: Forwarded,
}

impl ResultItem {
    /// The result for an archived message: its id, and the message with its archive stamp
    /// as the delay.
    pub fn of(queryid: Option<String>, item: crate::Archived) -> ResultItem {
        ResultItem {
            queryid,
            id: item.id,
            forwarded: Forwarded {
                delay: Some(xmppkit_stanza::delay::Delay {
                    from: None,
                    stamp: item.stamp,
                    reason: None,
                }),
                stanza: item.message,
            },
        }
    }
}

impl TryFrom<Element> for ResultItem {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        RESULT.check(&el)?;
        let id = RESULT.required(&el, "id")?.to_owned();
        let forwarded = el
            .get_child("forwarded", ns::FORWARD)
            .ok_or_else(|| RESULT.missing_child("forwarded"))?;
        Ok(ResultItem {
            queryid: el.attr("queryid").map(str::to_owned),
            id,
            forwarded: Forwarded::try_from(forwarded.clone())?,
        })
    }
}

impl From<ResultItem> for Element {
    fn from(r: ResultItem) -> Element {
        let mut el = RESULT.element();
        if let Some(q) = r.queryid {
            set_attr(&mut el, "queryid", q);
        }
        set_attr(&mut el, "id", r.id);
        el.append_child(r.forwarded.into());
        el
    }
}

/// The end of a query (§4.3): in the IQ result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fin {
    /// The page reaches the end of the results in the paging direction.
    pub complete: bool,
    /// `false` when the results may still change.
    pub stable: bool,
    /// first / last / count of the page.
    pub set: Set,
}

impl TryFrom<Element> for Fin {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        FIN.check(&el)?;
        let flag = |name: &'static str, default: bool| match el.attr(name) {
            None => Ok(default),
            Some("true") | Some("1") => Ok(true),
            Some("false") | Some("0") => Ok(false),
            Some(v) => Err(FIN.bad(name, v, "not a boolean")),
        };
        let set = el
            .get_child("set", ns::RSM)
            .ok_or_else(|| FIN.missing_child("set"))?;
        Ok(Fin {
            complete: flag("complete", false)?,
            stable: flag("stable", true)?,
            set: Set::try_from(set.clone())?,
        })
    }
}

impl From<Fin> for Element {
    fn from(f: Fin) -> Element {
        let mut el = FIN.element();
        if f.complete {
            set_attr(&mut el, "complete", "true");
        }
        if !f.stable {
            set_attr(&mut el, "stable", "false");
        }
        el.append_child(f.set.into());
        el
    }
}

/// The archive's first and last message (§5.1), each as (id, timestamp); empty for an empty
/// archive.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// The oldest message.
    pub start: Option<(String, DateTime)>,
    /// The newest message.
    pub end: Option<(String, DateTime)>,
}

impl TryFrom<Element> for Metadata {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        METADATA.check(&el)?;
        let point = |name: &str| -> Result<Option<(String, DateTime)>, ParseError> {
            let Some(child) = el.get_child(name, NS) else {
                return Ok(None);
            };
            let tag = Tag::new(if name == "start" { "start" } else { "end" }, NS);
            let id = tag.required(child, "id")?.to_owned();
            let stamp = tag.required(child, "timestamp")?;
            let stamp = stamp
                .parse()
                .map_err(|e: xmppkit_stanza::datetime::DateTimeError| {
                    tag.bad("timestamp", stamp, e)
                })?;
            Ok(Some((id, stamp)))
        };
        Ok(Metadata {
            start: point("start")?,
            end: point("end")?,
        })
    }
}

impl From<Metadata> for Element {
    fn from(m: Metadata) -> Element {
        let mut el = METADATA.element();
        for (name, point) in [("start", m.start), ("end", m.end)] {
            if let Some((id, stamp)) = point {
                let mut child = Element::builder(name, NS).build();
                set_attr(&mut child, "id", id);
                set_attr(&mut child, "timestamp", stamp.to_string());
                el.append_child(child);
            }
        }
        el
    }
}

/// What is archived by default (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultPref {
    /// Everything.
    #[default]
    Always,
    /// Nothing.
    Never,
    /// Only messages with contacts in the roster.
    Roster,
}

/// Archiving preferences (§6): a default and JIDs always or never archived.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prefs {
    /// The default.
    pub default: DefaultPref,
    /// Always archived.
    pub always: Vec<Jid>,
    /// Never archived.
    pub never: Vec<Jid>,
}

impl Prefs {
    /// Whether a message with `with` is archived (a bare JID in a list covers every resource;
    /// `never` wins over `always`).
    pub fn archives(&self, with: &Jid, in_roster: bool) -> bool {
        let listed = |list: &[Jid]| {
            list.iter()
                .any(|j| j == with || (j.resource().is_none() && j.to_bare() == with.to_bare()))
        };
        if listed(&self.never) {
            return false;
        }
        if listed(&self.always) {
            return true;
        }
        match self.default {
            DefaultPref::Always => true,
            DefaultPref::Never => false,
            DefaultPref::Roster => in_roster,
        }
    }
}

impl TryFrom<Element> for Prefs {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        PREFS.check(&el)?;
        let default = match PREFS.required(&el, "default")? {
            "always" => DefaultPref::Always,
            "never" => DefaultPref::Never,
            "roster" => DefaultPref::Roster,
            other => return Err(PREFS.bad("default", other, "not always, never or roster")),
        };
        let list = |name: &str| -> Result<Vec<Jid>, ParseError> {
            el.get_child(name, NS)
                .map(|l| {
                    l.children()
                        .filter(|c| c.is("jid", NS))
                        .map(|c| {
                            let text = c.text();
                            text.trim()
                                .parse()
                                .map_err(|_| PREFS.bad_content(format!("bad JID `{text}`")))
                        })
                        .collect()
                })
                .unwrap_or_else(|| Ok(Vec::new()))
        };
        Ok(Prefs {
            default,
            always: list("always")?,
            never: list("never")?,
        })
    }
}

impl From<Prefs> for Element {
    fn from(p: Prefs) -> Element {
        let mut el = PREFS.element();
        let default = match p.default {
            DefaultPref::Always => "always",
            DefaultPref::Never => "never",
            DefaultPref::Roster => "roster",
        };
        set_attr(&mut el, "default", default);
        for (name, list) in [("always", p.always), ("never", p.never)] {
            let mut l = Element::builder(name, NS).build();
            for jid in list {
                l.append_child(Element::builder("jid", NS).append(jid.to_string()).build());
            }
            el.append_child(l);
        }
        el
    }
}

/// The form the server announces for queries (§4.1.3), with every field it supports.
pub fn query_form() -> DataForm {
    let field = |var: &str, type_| Field {
        type_: Some(type_),
        ..Field::new(var, Vec::<String>::new())
    };
    DataForm::new(
        FormType::Form,
        vec![
            Field::form_type(NS),
            field("with", FieldType::JidSingle),
            field("start", FieldType::TextSingle),
            field("end", FieldType::TextSingle),
            field("before-id", FieldType::TextSingle),
            field("after-id", FieldType::TextSingle),
            field("ids", FieldType::ListMulti),
            field(crate::fulltext::FIELD, FieldType::TextSingle),
        ],
    )
}
