//! XEP-0004: Data Forms — forms, submissions and results, with the `FORM_TYPE` convention of
//! XEP-0068 that other XEPs (MAM, MUC configuration, PubSub) build on.

use crate::util::{set_attr, text_element, Tag};
use crate::{ns, ParseError, Payload};
use minidom::Element;
use std::str::FromStr;

const X: Tag = Tag::new("x", ns::DATA_FORMS);
const FIELD: Tag = Tag::new("field", ns::DATA_FORMS);

/// The form `type` (XEP-0004 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the four XEP-0004 form types
pub enum FormType {
    Form,
    Submit,
    Cancel,
    Result,
}

impl FormType {
    fn name(self) -> &'static str {
        match self {
            FormType::Form => "form",
            FormType::Submit => "submit",
            FormType::Cancel => "cancel",
            FormType::Result => "result",
        }
    }
}

impl FromStr for FormType {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "form" => FormType::Form,
            "submit" => FormType::Submit,
            "cancel" => FormType::Cancel,
            "result" => FormType::Result,
            _ => return Err("not form, submit, cancel or result"),
        })
    }
}

/// The field types of XEP-0004 §3.3; `text-single` is the default when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the XEP-0004 field types
pub enum FieldType {
    Boolean,
    Fixed,
    Hidden,
    JidMulti,
    JidSingle,
    ListMulti,
    ListSingle,
    TextMulti,
    TextPrivate,
    TextSingle,
}

const FIELD_TYPES: [(FieldType, &str); 10] = [
    (FieldType::Boolean, "boolean"),
    (FieldType::Fixed, "fixed"),
    (FieldType::Hidden, "hidden"),
    (FieldType::JidMulti, "jid-multi"),
    (FieldType::JidSingle, "jid-single"),
    (FieldType::ListMulti, "list-multi"),
    (FieldType::ListSingle, "list-single"),
    (FieldType::TextMulti, "text-multi"),
    (FieldType::TextPrivate, "text-private"),
    (FieldType::TextSingle, "text-single"),
];

impl FieldType {
    fn name(self) -> &'static str {
        FIELD_TYPES
            .iter()
            .find(|(t, _)| *t == self)
            .map_or("text-single", |(_, n)| n)
    }
}

impl FromStr for FieldType {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FIELD_TYPES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(t, _)| *t)
            .ok_or("not a XEP-0004 field type")
    }
}

/// A form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name (`var`); absent only on `fixed` fields.
    pub var: Option<String>,
    /// The type; `None` when the attribute is absent (text-single for forms).
    pub type_: Option<FieldType>,
    /// Label.
    pub label: Option<String>,
    /// Description.
    pub desc: Option<String>,
    /// Whether the field is required.
    pub required: bool,
    /// Values.
    pub values: Vec<String>,
    /// Options of list fields: (label, value).
    pub options: Vec<(Option<String>, String)>,
}

impl Field {
    /// A field with a name and values.
    pub fn new(
        var: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Field {
            var: Some(var.into()),
            type_: None,
            label: None,
            desc: None,
            required: false,
            values: values.into_iter().map(Into::into).collect(),
            options: Vec::new(),
        }
    }

    /// The hidden `FORM_TYPE` field.
    pub fn form_type(ns: impl Into<String>) -> Self {
        Field {
            type_: Some(FieldType::Hidden),
            ..Field::new("FORM_TYPE", [ns])
        }
    }

    /// The boolean value (XEP-0004 §3.3: `1`/`true` or `0`/`false`).
    pub fn as_bool(&self) -> Option<bool> {
        match self.values.first().map(String::as_str) {
            Some("1" | "true") => Some(true),
            Some("0" | "false") => Some(false),
            _ => None,
        }
    }
}

impl TryFrom<Element> for Field {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        FIELD.check(&el)?;
        let mut field = Field {
            var: el.attr("var").map(str::to_owned),
            type_: FIELD.parse_attr(&el, "type")?,
            label: el.attr("label").map(str::to_owned),
            desc: None,
            required: false,
            values: Vec::new(),
            options: Vec::new(),
        };
        if field.var.is_none() && field.type_ != Some(FieldType::Fixed) {
            return Err(FIELD.bad("var", "", "required unless the field is fixed"));
        }
        for child in el.children().filter(|c| c.has_ns(ns::DATA_FORMS)) {
            match child.name() {
                "value" => field.values.push(child.text()),
                "desc" => field.desc = Some(child.text()),
                "required" => field.required = true,
                "option" => {
                    let value = child
                        .get_child("value", ns::DATA_FORMS)
                        .ok_or_else(|| FIELD.missing_child("value"))?;
                    field
                        .options
                        .push((child.attr("label").map(str::to_owned), value.text()));
                }
                _ => {}
            }
        }
        Ok(field)
    }
}

impl From<Field> for Element {
    fn from(f: Field) -> Element {
        let mut el = FIELD.element();
        if let Some(var) = f.var {
            set_attr(&mut el, "var", var);
        }
        if let Some(t) = f.type_ {
            set_attr(&mut el, "type", t.name());
        }
        if let Some(label) = f.label {
            set_attr(&mut el, "label", label);
        }
        if let Some(desc) = f.desc {
            el.append_child(text_element("desc", ns::DATA_FORMS, desc));
        }
        if f.required {
            el.append_child(Element::builder("required", ns::DATA_FORMS).build());
        }
        for value in f.values {
            el.append_child(text_element("value", ns::DATA_FORMS, value));
        }
        for (label, value) in f.options {
            let mut option = Element::builder("option", ns::DATA_FORMS).build();
            if let Some(label) = label {
                set_attr(&mut option, "label", label);
            }
            option.append_child(text_element("value", ns::DATA_FORMS, value));
            el.append_child(option);
        }
        el
    }
}

/// A data form.
///
/// ```
/// use xmppkit_stanza::data_forms::{DataForm, Field, FormType};
/// let form = DataForm::submit("urn:xmpp:mam:2", vec![Field::new("with", ["juliet@capulet.lit"])]);
/// assert_eq!(form.form_type(), Some("urn:xmpp:mam:2"));
/// assert_eq!(form.value("with"), Some("juliet@capulet.lit"));
/// let el: minidom::Element = form.clone().into();
/// assert_eq!(DataForm::try_from(el).unwrap(), form);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataForm {
    /// The form type.
    pub type_: FormType,
    /// Title.
    pub title: Option<String>,
    /// Instructions, one per element.
    pub instructions: Vec<String>,
    /// Fields.
    pub fields: Vec<Field>,
    /// The `<reported/>` header of a multi-item result.
    pub reported: Option<Vec<Field>>,
    /// The items of a multi-item result.
    pub items: Vec<Vec<Field>>,
}

impl DataForm {
    /// A form of the given type with these fields.
    pub fn new(type_: FormType, fields: Vec<Field>) -> Self {
        DataForm {
            type_,
            title: None,
            instructions: Vec::new(),
            fields,
            reported: None,
            items: Vec::new(),
        }
    }

    /// A submission with a `FORM_TYPE` first.
    pub fn submit(form_type: &str, fields: Vec<Field>) -> Self {
        let mut all = vec![Field::form_type(form_type)];
        all.extend(fields);
        Self::new(FormType::Submit, all)
    }

    /// The field named `var`.
    pub fn field(&self, var: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.var.as_deref() == Some(var))
    }

    /// The first value of the field named `var`.
    pub fn value(&self, var: &str) -> Option<&str> {
        self.field(var)
            .and_then(|f| f.values.first())
            .map(String::as_str)
    }

    /// The `FORM_TYPE` (XEP-0068).
    pub fn form_type(&self) -> Option<&str> {
        self.value("FORM_TYPE")
    }
}

impl Payload for DataForm {
    const NAME: &'static str = "x";
    const NS: &'static str = ns::DATA_FORMS;
}

fn fields_of(el: &Element) -> Result<Vec<Field>, ParseError> {
    el.children()
        .filter(|c| c.is("field", ns::DATA_FORMS))
        .map(|c| Field::try_from(c.clone()))
        .collect()
}

impl TryFrom<Element> for DataForm {
    type Error = ParseError;
    fn try_from(el: Element) -> Result<Self, ParseError> {
        X.check(&el)?;
        let type_ = X
            .parse_attr(&el, "type")?
            .ok_or(ParseError::MissingAttribute {
                element: "x",
                ns: ns::DATA_FORMS,
                attribute: "type",
            })?;
        let mut form = DataForm::new(type_, fields_of(&el)?);
        for child in el.children().filter(|c| c.has_ns(ns::DATA_FORMS)) {
            match child.name() {
                "title" => form.title = Some(child.text()),
                "instructions" => form.instructions.push(child.text()),
                "reported" => form.reported = Some(fields_of(child)?),
                "item" => form.items.push(fields_of(child)?),
                _ => {}
            }
        }
        Ok(form)
    }
}

impl From<DataForm> for Element {
    fn from(f: DataForm) -> Element {
        let mut el = X.element();
        set_attr(&mut el, "type", f.type_.name());
        if let Some(title) = f.title {
            el.append_child(text_element("title", ns::DATA_FORMS, title));
        }
        for i in f.instructions {
            el.append_child(text_element("instructions", ns::DATA_FORMS, i));
        }
        for field in f.fields {
            el.append_child(field.into());
        }
        let group = |name: &str, fields: Vec<Field>| {
            let mut g = Element::builder(name, ns::DATA_FORMS).build();
            for field in fields {
                g.append_child(field.into());
            }
            g
        };
        if let Some(reported) = f.reported {
            el.append_child(group("reported", reported));
        }
        for item in f.items {
            el.append_child(group("item", item));
        }
        el
    }
}
