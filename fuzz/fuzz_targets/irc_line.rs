#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    natter_fuzz::irc_line::check(data);
});
