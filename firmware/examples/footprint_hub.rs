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
use natter_core::room::{Config, ConnId, Event, InlineHub, Pump, Received, Wire};
use natter_core::time::Instant;
use static_cell::StaticCell;

type FootprintHub = InlineHub<8, 2, 2048, 128, 3072>;

static HUB: StaticCell<FootprintHub> = StaticCell::new();

/// Peers the optimiser cannot see through: a UART, say.
struct Opaque;

impl Wire for Opaque {
    fn read(&mut self, conn: ConnId, buf: &mut [u8]) -> Received {
        black_box((conn, buf));
        black_box(Received::Nothing)
    }

    fn write(&mut self, conn: ConnId, bytes: &[u8]) -> usize {
        black_box((conn, bytes)).1.len()
    }

    fn closed(&mut self, conn: ConnId) {
        black_box(conn);
    }

    fn event(&mut self, event: Event) {
        black_box(event);
    }
}

#[entry]
fn main() -> ! {
    let hub = HUB.init_with(|| FootprintHub::new(black_box(Config::default())));
    let _ = black_box(hub.add_room(black_box("lobby")));
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
    // The driving sequence, as every in-memory driver runs it.
    let _ = black_box(Pump::<1024>::new().settle(hub, now, &mut Opaque));
    black_box(hub.should_transmit());
    hub.handle_timeout(now);
    black_box(hub.poll_timeout());
    hub.handle_disconnect(now, conn);
    hub.shutdown(now, black_box("bye"));
    let _ = black_box(Pump::<1024>::new().settle(hub, now, &mut Opaque));
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
