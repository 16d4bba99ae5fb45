//! A saved MUC room read back from arbitrary text (a damaged database row): parsing must never
//! panic, and a room that parses must write out and read back (the first write may normalise,
//! say the order of presence-broadcast roles; after it, write and read are stable).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmppkit_muc::SavedRoom;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(element) = text.parse::<minidom::Element>() else {
        return;
    };
    if let Ok(room) = SavedRoom::try_from(&element) {
        let once =
            SavedRoom::try_from(&minidom::Element::from(&room)).expect("a written room reads back");
        assert_eq!(
            SavedRoom::try_from(&minidom::Element::from(&once)).as_ref(),
            Ok(&once)
        );
    }
});
