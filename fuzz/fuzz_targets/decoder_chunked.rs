//! Arbitrary bytes split at arbitrary points: the events (stanzas, close) and the error must be the
//! same as when the bytes come in one piece.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_codec::{Decoder, Event};

fn run(data: &[u8], cuts: &[usize]) -> (Vec<Event>, Option<xmppkit_codec::DecodeError>) {
    let mut decoder = Decoder::new();
    let mut events = Vec::new();
    let mut start = 0;
    for &cut in cuts.iter().chain(std::iter::once(&data.len())) {
        let cut = cut.clamp(start, data.len());
        decoder.feed(&data[start..cut]);
        start = cut;
        loop {
            match decoder.next_event() {
                Ok(Some(Event::Whitespace)) => {}
                Ok(Some(e)) => events.push(e),
                Ok(None) => break,
                Err(e) => return (events, Some(e)),
            }
        }
    }
    (events, None)
}

fuzz_target!(|input: (Vec<u8>, Vec<u16>)| {
    let (data, cuts) = input;
    let mut cuts: Vec<usize> = cuts.into_iter().map(usize::from).collect();
    cuts.sort_unstable();
    let whole = run(&data, &[]);
    let chunked = run(&data, &cuts);
    assert_eq!(whole, chunked);
});
