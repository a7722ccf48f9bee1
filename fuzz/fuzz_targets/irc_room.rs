#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Err(e) = natter_fuzz::irc_room::check(data) {
        panic!("{e}");
    }
});
