//! The error every payload conversion returns: which element of which namespace, and what about it
//! was wrong, so that a server can answer `bad-request` with a useful text.

use thiserror::Error;

/// Why an element could not be turned into a typed value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    /// The element is not the one this type parses.
    #[error("expected <{expected}/> in `{expected_ns}`, found <{found}/> in `{found_ns}`")]
    WrongElement {
        /// The expected element name.
        expected: &'static str,
        /// The expected namespace.
        expected_ns: &'static str,
        /// The name found.
        found: String,
        /// The namespace found.
        found_ns: String,
    },
    /// A required attribute is missing.
    #[error("<{element}/> in `{ns}` needs the attribute `{attribute}`")]
    MissingAttribute {
        /// Element name.
        element: &'static str,
        /// Element namespace.
        ns: &'static str,
        /// Attribute name.
        attribute: &'static str,
    },
    /// An attribute has a value this type does not accept.
    #[error("<{element}/> in `{ns}`: bad value `{value}` for `{attribute}`: {reason}")]
    BadAttribute {
        /// Element name.
        element: &'static str,
        /// Element namespace.
        ns: &'static str,
        /// Attribute name.
        attribute: &'static str,
        /// The value found.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A required child element is missing.
    #[error("<{element}/> in `{ns}` needs a <{child}/> child")]
    MissingChild {
        /// Element name.
        element: &'static str,
        /// Element namespace.
        ns: &'static str,
        /// The child's name.
        child: &'static str,
    },
    /// The children or the text of an element are not what the specification allows.
    #[error("<{element}/> in `{ns}`: {reason}")]
    BadContent {
        /// Element name.
        element: &'static str,
        /// Element namespace.
        ns: &'static str,
        /// What is wrong.
        reason: String,
    },
}
