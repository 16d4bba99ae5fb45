//! The round-trip property every payload fuzz target asserts: whatever parses serializes to
//! something that parses to the same value.

use minidom::Element;

/// Asserts the property for `T` on `el` (nothing to check when it does not parse).
pub fn round_trips<T>(el: &Element)
where
    T: TryFrom<Element> + Into<Element> + Clone + PartialEq + std::fmt::Debug,
{
    if let Ok(value) = T::try_from(el.clone()) {
        let again = T::try_from(value.clone().into());
        assert_eq!(again.ok(), Some(value));
    }
}
