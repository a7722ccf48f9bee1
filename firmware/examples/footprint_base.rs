//! The baseline for measuring natter-core's footprint: the same start-up,
//! panic handler and exit as `footprint_hub.rs`, and no hub. Subtracting
//! this ELF's sizes from that one's gives the hub's own flash and RAM.
//!
//! `scripts/firmware.sh` builds both and prints the difference.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

use cortex_m::asm::wfi;
use cortex_m_rt::entry;
use cortex_m_semihosting::debug::{self, EXIT_SUCCESS};

#[entry]
fn main() -> ! {
    // The same opaque input as the hub variant, feeding nothing.
    black_box([0u8; 64]);
    debug::exit(EXIT_SUCCESS);
    loop {
        wfi();
    }
}

/// No messages: their formatting code would be counted on both sides.
#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {
        wfi();
    }
}
