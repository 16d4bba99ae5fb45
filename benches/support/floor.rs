//! The floor of every fan-out bench: what any server that hands out `minidom::Element`s pays to
//! send one stanza to many recipients — a clone and a `to` per recipient.

use criterion::measurement::WallTime;
use criterion::BenchmarkGroup;
use minidom::Element;
use std::hint::black_box;
use xmppkit::stanza::set_attr;

/// `sent` without its `to` attribute (minidom cannot remove one).
pub fn without_to(sent: &Element) -> Element {
    let mut el = Element::builder(sent.name(), sent.ns()).build();
    for ((ns, name), value) in sent.attrs() {
        if name.as_str() != "to" {
            el.set_attr(ns.clone(), name.clone(), value.clone());
        }
    }
    for child in sent.children() {
        el.append_child(child.clone());
    }
    el
}

/// Benches cloning `stanza` and addressing it to each of `recipients`, into a reused vector
/// whose copies are dropped after use (like a server's output queue).
pub fn bench(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    stanza: &Element,
    recipients: &[String],
) {
    let mut out: Vec<Element> = Vec::with_capacity(recipients.len());
    group.bench_function(name, |b| {
        b.iter(|| {
            for to in recipients {
                let mut m = stanza.clone();
                set_attr(&mut m, "to", to.clone());
                out.push(m);
            }
            for m in out.drain(..) {
                black_box(m);
            }
        })
    });
}
