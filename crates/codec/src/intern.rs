//! Per-thread interning of namespaces and element templates, so that decoding a stanza allocates
//! one string per element name instead of three (name, namespace, shared namespace handle).
//!
//! Nothing here is tied to a decoder: decoders may move between threads, so they only ever hand
//! strings to this cache, never ids. The cache is bounded; when full it stops growing and the decoder
//! builds elements the slower way.

use crate::ns::WELL_KNOWN;
use minidom::rxml::{Namespace, NcName};
use minidom::Element;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Most namespaces interned per thread.
const MAX_NAMESPACES: usize = 2048;
/// Most element templates kept per thread.
const MAX_TEMPLATES: usize = 8192;
/// Most attribute names kept per thread.
const MAX_ATTRIBUTE_NAMES: usize = 4096;

/// FNV-1a: short keys, no DoS concern (the maps are bounded and keyed by what a peer sends only up
/// to the caps above).
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325) // the FNV-1a 64-bit offset basis
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A namespace as resolved while building one stanza.
#[derive(Debug, Clone)]
pub(crate) enum NsRef<'a> {
    /// Interned in this thread's table.
    Id(u32),
    /// Not interned (the table is full).
    Uri(Cow<'a, str>),
}

struct Entry {
    namespace: Namespace<'static>,
    uri: Box<str>,
    templates: FnvMap<Box<str>, Element>,
}

pub(crate) struct Interner {
    /// Buffers of the tree builder, reused between stanzas.
    pub(crate) scratch: crate::tree::Scratch,
    ids: FnvMap<Box<str>, u32>,
    attribute_names: FnvMap<Box<str>, NcName>,
    entries: Vec<Entry>,
    templates: usize,
}

thread_local! {
    static INTERNER: RefCell<Interner> = RefCell::new(Interner::new());
}

/// Runs `f` with this thread's interner.
pub(crate) fn with<R>(f: impl FnOnce(&mut Interner) -> R) -> R {
    INTERNER.with(|i| f(&mut i.borrow_mut()))
}

impl Interner {
    fn new() -> Self {
        let mut interner = Interner {
            scratch: Default::default(),
            ids: FnvMap::default(),
            attribute_names: FnvMap::default(),
            entries: Vec::with_capacity(WELL_KNOWN.len() * 2),
            templates: 0,
        };
        for uri in WELL_KNOWN {
            interner.insert(uri, Namespace::from_str(uri));
        }
        interner
    }

    fn insert(&mut self, uri: &str, namespace: Namespace<'static>) -> u32 {
        let id = self.entries.len() as u32;
        self.ids.insert(uri.into(), id);
        self.entries.push(Entry {
            namespace,
            uri: uri.into(),
            templates: FnvMap::default(),
        });
        id
    }

    /// Resolves a namespace name, interning it while there is room.
    pub(crate) fn resolve<'a>(&mut self, uri: Cow<'a, str>) -> NsRef<'a> {
        if let Some(id) = self.ids.get(uri.as_ref()) {
            return NsRef::Id(*id);
        }
        if self.entries.len() < MAX_NAMESPACES {
            let namespace = Namespace::from(uri.as_ref().to_owned());
            return NsRef::Id(self.insert(&uri, namespace));
        }
        NsRef::Uri(uri)
    }

    /// The namespace as minidom stores it on attributes (cheap to clone).
    pub(crate) fn namespace(&self, ns: &NsRef<'_>) -> Namespace<'static> {
        match ns {
            NsRef::Id(id) => self.entries[*id as usize].namespace.clone(),
            NsRef::Uri(uri) => Namespace::from(uri.as_ref().to_owned()),
        }
    }

    /// An attribute's local name, validated once per thread; `None` when it is not an NCName.
    pub(crate) fn attribute_name(&mut self, local: &str) -> Option<NcName> {
        if let Some(name) = self.attribute_names.get(local) {
            return Some(name.clone());
        }
        let name = NcName::try_from(local).ok()?;
        if self.attribute_names.len() < MAX_ATTRIBUTE_NAMES {
            self.attribute_names.insert(local.into(), name.clone());
        }
        Some(name)
    }

    /// A new, empty element; `None` when `local` is not an XML NCName.
    pub(crate) fn element(&mut self, ns: &NsRef<'_>, local: &str) -> Option<Element> {
        let id = match ns {
            NsRef::Id(id) => *id as usize,
            NsRef::Uri(uri) => return fresh(uri, local),
        };
        if let Some(template) = self.entries[id].templates.get(local) {
            return Some(template.clone());
        }
        let element = fresh(&self.entries[id].uri, local)?;
        if self.templates < MAX_TEMPLATES {
            self.templates += 1;
            self.entries[id]
                .templates
                .insert(local.into(), element.clone());
        }
        Some(element)
    }
}

fn fresh(uri: &str, local: &str) -> Option<Element> {
    NcName::try_from(local).ok()?;
    Some(Element::bare(local, uri))
}
