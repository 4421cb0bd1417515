//! Property tests: extraction must survive any mail text and find labelled serials.

use proptest::prelude::*;
use vigilo_intake::{Identifier, device_identifiers};

proptest! {
    #[test]
    fn never_panics(subject in any::<String>(), body in any::<String>()) {
        let _ = device_identifiers(&subject, &body);
    }

    #[test]
    fn never_panics_on_udi_like_text(body in "[0-9()A-Za-z \\x1d:/.-]{0,80}") {
        let _ = device_identifiers("", &body);
    }

    #[test]
    fn labelled_serial_in_random_text_is_found(
        before in "[a-z ,.\n]{0,40}",
        label in prop::sample::select(vec![
            "Serial: ", "Serial number ", "S/N ", "SN: ", "SN ", "Seriennummer: ",
            "serial no. ", "SERIAL ", "s/n: ",
        ]),
        serial in "[A-Z]{1,3}-?[0-9]{2,6}[A-Z]?",
        after in "[a-z ,.\n]{0,40}",
    ) {
        let body = format!("{before} {label}{serial} {after}");
        let ids = device_identifiers("", &body);
        prop_assert!(ids.contains(&Identifier::Serial(serial.clone())), "{ids:?} in {body:?}");
    }
}
