//! natter-core's hub alone, for measuring its footprint: a
//! `InlineHub<8, 2, 2048, 128, 3072>` (8 members, 2 rooms of 2 KiB history,
//! 128-byte texts, 3 KiB output per member) in a static, with every entry
//! point of its driver API called on inputs the optimiser cannot see
//! through (`black_box` stands in for a UART and a timer), so none of the
//! hub's code is left out. No formatting, no protocol client.
//!
//! Compare with `footprint_base.rs`; `scripts/firmware.sh` prints the
//! difference.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::panic::PanicInfo;

use cortex_m::asm::wfi;
use cortex_m_rt::entry;
use cortex_m_semihosting::debug::{self, EXIT_SUCCESS};
use natter_core::room::{Config, ConnId, InlineHub};
use natter_core::time::Instant;
use static_cell::StaticCell;

type FootprintHub = InlineHub<8, 2, 2048, 128, 3072>;

static HUB: StaticCell<FootprintHub> = StaticCell::new();

#[entry]
fn main() -> ! {
    let hub = HUB.init_with(|| FootprintHub::new(black_box(Config::default())));
    let _ = black_box(hub.add_room(black_box("lobby")));
    let mut out = [0u8; 1024];
    let now = Instant(black_box(0));
    if let Ok(conn) = hub.handle_connect(now) {
        black_box(conn);
    }
    let conn = ConnId(black_box(0));
    let input = black_box([0u8; 64]);
    black_box(hub.handle_bytes(now, conn, &input));
    let buf = hub.recv_buf(conn);
    let n = buf.len().min(input.len());
    buf[..n].copy_from_slice(&input[..n]);
    hub.handle_received(now, conn, n);
    while let Some(conn) = hub.poll_transmit() {
        let mut tx = hub.transmit(now, conn, out.len());
        let n = tx.copy_to(&mut out);
        black_box(&out[..n]);
        tx.commit(black_box(n));
        hub.resume_input(now, conn);
    }
    black_box(hub.should_transmit());
    hub.handle_timeout(now);
    black_box(hub.poll_timeout());
    hub.handle_disconnect(now, conn);
    hub.shutdown(now, black_box("bye"));
    while let Some(conn) = hub.poll_close() {
        black_box(conn);
    }
    while let Some(event) = hub.poll_event() {
        black_box(event);
    }
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
