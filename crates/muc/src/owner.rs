//! `<query xmlns='http://jabber.org/protocol/muc#owner'>`: the configuration form (get, submit,
//! cancel; §10.1–10.2) and room destruction (§10.9).

use crate::item::Destroy;
use crate::ns;
use minidom::Element;
use xmppkit_stanza::data_forms::DataForm;
use xmppkit_stanza::{ns as stanza_ns, ParseError, Payload, Tag};

const QUERY: Tag = Tag::new("query", ns::OWNER);

/// The owner query.
///
/// ```
/// use xmppkit_muc::OwnerQuery;
/// let el: minidom::Element = "<query xmlns='http://jabber.org/protocol/muc#owner'>\
///     <destroy jid='coven@chat.shakespeare.lit'><reason>Macbeth doth come.</reason></destroy>\
///     </query>".parse().unwrap();
/// let q = OwnerQuery::try_from(el).unwrap();
/// let destroy = q.destroy.unwrap();
/// assert_eq!(destroy.jid.unwrap().as_str(), "coven@chat.shakespeare.lit");
/// assert_eq!(destroy.reason.as_deref(), Some("Macbeth doth come."));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnerQuery {
    /// A configuration form (form, submit or cancel).
    pub form: Option<DataForm>,
    /// A destruction request.
    pub destroy: Option<Destroy>,
}

impl Payload for OwnerQuery {
    const NAME: &'static str = "query";
    const NS: &'static str = ns::OWNER;
}

impl TryFrom<Element> for OwnerQuery {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        QUERY.check(&el)?;
        let form = el
            .get_child("x", stanza_ns::DATA_FORMS)
            .map(|f| DataForm::try_from(f.clone()))
            .transpose()?;
        let destroy = el
            .get_child("destroy", ns::OWNER)
            .map(|d| Destroy::parse(d, ns::OWNER))
            .transpose()?;
        if form.is_some() && destroy.is_some() {
            return Err(QUERY.bad_content("both a form and <destroy/>"));
        }
        Ok(OwnerQuery { form, destroy })
    }
}

impl From<OwnerQuery> for Element {
    fn from(q: OwnerQuery) -> Element {
        let mut el = QUERY.element();
        if let Some(f) = q.form {
            el.append_child(f.into());
        }
        if let Some(d) = q.destroy {
            el.append_child(d.to_element(ns::OWNER));
        }
        el
    }
}
