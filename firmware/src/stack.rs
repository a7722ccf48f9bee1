//! How much stack the program has used: cortex-m-rt's `paint-stack`
//! feature fills the free RAM between the statics and the top of the stack
//! with a known word before `main`; whatever the stack ever touched no
//! longer holds it.

// The one place the firmware reads memory that no Rust object owns.
#![allow(unsafe_code)]

use cortex_m_rt::STACK_PAINT_VALUE;

unsafe extern "C" {
    /// Lowest address the stack may grow to (the end of the statics).
    static _stack_end: u32;
    /// Top of the stack (the end of RAM).
    static _stack_start: u32;
}

/// Bytes of stack used so far, at most (a painted word the stack wrote
/// with the paint value itself would be missed, which is harmless).
pub fn peak() -> usize {
    let bottom = &raw const _stack_end as usize;
    let top = &raw const _stack_start as usize;
    let mut at = bottom;
    while at < top {
        // SAFETY: `at` is a word-aligned address inside RAM between the
        // statics and the stack top (both from the linker script). No Rust
        // value lives below the stack pointer, and the word is only read.
        let word = unsafe { core::ptr::read_volatile(at as *const u32) };
        if word != STACK_PAINT_VALUE {
            break;
        }
        at += 4;
    }
    top - at
}
