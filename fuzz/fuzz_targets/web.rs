#![no_main]

// Not in `natter_fuzz`'s lib: see the module's documentation.
#[path = "../src/web.rs"]
mod web;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    web::check(data);
});
