//! One stable colour per nickname, so a reader recognises people at a
//! glance. The hash is fixed (FNV-1a, not std's randomly seeded one), so
//! `bob` has the same colour in every window and every run, and it is
//! taken over the IRC case folding natter uses, so `Bob` and `bob` match.

/// Colours of middle lightness: each reads on the light theme's white and
/// on the dark theme's near-black background.
pub const PALETTE: [(u8, u8, u8); 10] = [
    (214, 69, 65),   // red
    (224, 120, 20),  // orange
    (170, 135, 0),   // gold
    (46, 160, 67),   // green
    (0, 150, 136),   // teal
    (20, 145, 220),  // blue
    (105, 110, 235), // indigo
    (160, 90, 220),  // violet
    (216, 40, 110),  // magenta
    (140, 120, 95),  // brown
];

/// The index into [`PALETTE`] of `nick`'s colour.
pub fn color_index(nick: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in folded_bytes(nick) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % PALETTE.len()
}

/// The bytes of `nick` after natter's case folding (ASCII lower case and
/// `[]\` as `{}|`), like `natter_core::wire::same_name`.
fn folded_bytes(nick: &str) -> impl Iterator<Item = u8> + '_ {
    nick.bytes().map(|b| match b {
        b'[' => b'{',
        b']' => b'}',
        b'\\' => b'|',
        b => b.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_case_insensitive() {
        // Fixed values: a change of hash would recolour everyone.
        assert_eq!(color_index("ann"), color_index("ann"));
        assert_eq!(color_index("ann"), 0);
        assert_eq!(color_index("bob"), 4);
        assert_eq!(color_index("Bob"), color_index("bob"));
        assert_eq!(color_index("[bot]"), color_index("{BOT}"));
    }

    #[test]
    fn spreads_over_the_palette() {
        let mut used = [0usize; PALETTE.len()];
        for i in 0..1000 {
            used[color_index(&format!("student{i}"))] += 1;
        }
        assert!(used.iter().all(|&n| n > 50), "{used:?}");
    }
}
