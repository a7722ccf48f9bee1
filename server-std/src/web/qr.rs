//! The join address as a QR code, for a phone's camera: the modules from
//! the `qrcode` crate, drawn by whoever shows them (text blocks in the
//! console here, squares in the window's hosting banner).

use std::net::IpAddr;

use qrcode::{Color, EcLevel, QrCode};

/// The address a browser opens to join: `http://10.0.0.5:5555/`.
pub fn join_url(ip: IpAddr, port: u16) -> String {
    match ip {
        IpAddr::V4(v4) => format!("http://{v4}:{port}/"),
        IpAddr::V6(v6) => format!("http://[{v6}]:{port}/"),
    }
}

/// A QR code's modules, row by row, `true` for dark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Modules {
    /// Modules per side (no quiet zone).
    pub width: usize,
    pub dark: Vec<bool>,
}

impl Modules {
    /// The QR code of `text` (error correction M: a smudged screen or a
    /// shaky hand still scans), or `None` if it is too long for one.
    pub fn of(text: &str) -> Option<Modules> {
        let code = QrCode::with_error_correction_level(text, EcLevel::M).ok()?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Some(Modules { width, dark })
    }

    /// Whether the module at (`x`, `y`) is dark; outside the code (its
    /// quiet zone) is light.
    pub fn is_dark(&self, x: isize, y: isize) -> bool {
        let w = self.width as isize;
        (0..w).contains(&x) && (0..w).contains(&y) && self.dark[(y * w + x) as usize]
    }
}

/// Modules of light around the code, as scanners want.
pub const QUIET: isize = 2;

/// The code as lines of text, two rows of modules per line in half blocks.
/// Light modules are drawn (the character's colour) and dark ones left as
/// the background, as `qrencode -t UTF8` does: right on the dark consoles
/// most terminals have; phone cameras read the inverse too.
pub fn to_text(modules: &Modules) -> String {
    let w = modules.width as isize;
    let mut out = String::new();
    let mut y = -QUIET;
    while y < w + QUIET {
        for x in -QUIET..w + QUIET {
            let top = !modules.is_dark(x, y);
            let bottom = !modules.is_dark(x, y + 1) && y + 1 < w + QUIET;
            out.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a phone reads from modules drawn `scale` pixels each: decoded
    /// by `rqrr`, a QR reader written apart from the encoder.
    pub(crate) fn scan(pixels: &[Vec<bool>]) -> String {
        let h = pixels.len();
        let w = pixels[0].len();
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(
                w,
                h,
                |x, y| {
                    if pixels[y][x] { 0 } else { 255 }
                },
            );
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one code in the picture");
        grids[0].decode().expect("a readable code").1
    }

    /// The text as a camera sees it on a dark console: drawn blocks are
    /// light, the background dark; 4×4 pixels per module.
    fn seen_on_a_console(text: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in text.lines() {
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for c in line.chars() {
                let (top_drawn, bottom_drawn) = match c {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    _ => (false, false),
                };
                top.extend([!top_drawn; 4]);
                bottom.extend([!bottom_drawn; 4]);
            }
            rows.extend(std::iter::repeat_n(top, 4));
            rows.extend(std::iter::repeat_n(bottom, 4));
        }
        rows
    }

    #[test]
    fn the_console_code_scans_to_the_join_address() {
        for ip in ["192.168.1.20", "10.0.0.5", "fd00::1:2"] {
            let url = join_url(ip.parse().unwrap(), 5555);
            let text = to_text(&Modules::of(&url).unwrap());
            assert_eq!(scan(&seen_on_a_console(&text)), url);
        }
        assert_eq!(
            join_url("fd00::1".parse().unwrap(), 80),
            "http://[fd00::1]:80/"
        );
    }
}
