//! The join address as QR codes in the hosting banner, for phones' cameras:
//! one square per module, dark on white with a light margin whatever the
//! theme (scanners want dark on light), the address written under it.

use std::cell::RefCell;
use std::rc::Rc;

use fltk::draw;
use fltk::enums::{Align, Color, Font};
use fltk::frame::Frame;
use fltk::prelude::*;
use natter_server::web::qr::{Modules, QUIET};

/// Pixels per module: a 29-module code (an IPv4 address's URL) is 132 px
/// with its margin, big enough for a phone held at a desk.
pub const SCALE: i32 = 4;
/// Height of the address line under a code.
const CAPTION: i32 = 14;
/// Most codes shown (`host::addresses` gives IPv4 first, then two IPv6).
pub const MAX_CODES: usize = 3;

/// A code and the address it holds.
struct Shown {
    modules: Modules,
    url: String,
}

/// One QR code in a frame that draws it (a clone is another handle to the
/// same frame and code).
#[derive(Clone)]
pub struct QrFrame {
    pub frame: Frame,
    shown: Rc<RefCell<Option<Shown>>>,
}

impl QrFrame {
    pub fn new() -> QrFrame {
        let mut frame = Frame::default();
        let shown: Rc<RefCell<Option<Shown>>> = Rc::new(RefCell::new(None));
        let data = shown.clone();
        frame.draw(move |f| {
            if let Some(s) = &*data.borrow() {
                draw_code(f.x(), f.y(), f.w(), s);
            }
        });
        frame.hide();
        QrFrame { frame, shown }
    }

    /// Hold the code of `url`, or nothing (hidden) with `None` or when it
    /// is too long for a code; the banner shows the frame if it fits.
    pub fn set(&mut self, url: Option<&str>) {
        let shown = url.and_then(|url| {
            Modules::of(url).map(|modules| Shown {
                modules,
                url: url.to_owned(),
            })
        });
        if let Some(s) = &shown {
            self.frame
                .set_tooltip(&format!("Phones and tablets: scan to open {}", s.url));
        } else {
            self.frame.hide();
        }
        *self.shown.borrow_mut() = shown;
        self.frame.redraw();
    }

    /// The width and height the frame needs, or `None` with no code.
    pub fn size(&self) -> Option<(i32, i32)> {
        self.shown
            .borrow()
            .as_ref()
            .map(|s| frame_size(s.modules.width))
    }
}

/// The side, in pixels, of a code of `width` modules with its margin.
pub fn side(width: usize) -> i32 {
    (width as i32 + 2 * QUIET as i32) * SCALE
}

/// The width and height a frame needs for a code of `width` modules.
pub fn frame_size(width: usize) -> (i32, i32) {
    let side = side(width);
    (side.max(150), side + CAPTION)
}

/// The top-left corners of the dark squares, `SCALE` pixels each, of a
/// code whose light square (margin included) starts at (`left`, `top`):
/// what `draw_code` fills, kept apart so a test can read them back.
pub fn dark_squares(modules: &Modules, left: i32, top: i32) -> impl Iterator<Item = (i32, i32)> {
    let quiet = QUIET as i32;
    let width = modules.width.max(1);
    modules
        .dark
        .chunks(width)
        .enumerate()
        .flat_map(move |(my, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, dark)| **dark)
                .map(move |(mx, _)| {
                    (
                        left + (mx as i32 + quiet) * SCALE,
                        top + (my as i32 + quiet) * SCALE,
                    )
                })
        })
}

/// Least width left to the banner's sentence: codes that would squeeze it
/// below this are hidden (a narrow window shows the first ones only).
pub const MIN_TEXT_W: i32 = 260;

/// How many of the codes, `widths` wide each in order, a banner row
/// `row_w` wide has room for next to its sentence (`pad` between
/// neighbours): the first ones, as many as fit.
pub fn codes_that_fit(row_w: i32, pad: i32, widths: &[i32]) -> usize {
    let mut left = row_w - MIN_TEXT_W;
    widths
        .iter()
        .take_while(|&&w| {
            left -= w + pad;
            left >= 0
        })
        .count()
}

fn draw_code(x: i32, y: i32, w: i32, s: &Shown) {
    let side = side(s.modules.width);
    let left = x + (w - side) / 2;
    draw::set_draw_color(Color::White);
    draw::draw_rectf(left, y, side, side);
    draw::set_draw_color(Color::Black);
    for (px, py) in dark_squares(&s.modules, left, y) {
        draw::draw_rectf(px, py, SCALE, SCALE);
    }
    draw::set_draw_color(Color::White);
    draw::draw_rectf(x, y + side, w, CAPTION);
    draw::set_draw_color(Color::Black);
    draw::set_font(Font::Helvetica, 11);
    draw::draw_text2(&s.url, x, y + side, w, CAPTION, Align::Center);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The code for `url` as `draw_code` paints it: a light square of
    /// `side` pixels with the dark squares filled, `true` for dark.
    fn painted(url: &str) -> (Vec<bool>, usize) {
        let modules = Modules::of(url).expect("a short address makes a code");
        let side = side(modules.width) as usize;
        let mut pixels = vec![false; side * side];
        for (px, py) in dark_squares(&modules, 0, 0) {
            for y in py..py + SCALE {
                for x in px..px + SCALE {
                    pixels[y as usize * side + x as usize] = true;
                }
            }
        }
        (pixels, side)
    }

    /// What a phone reads off the painted pixels: decoded by `rqrr`, a
    /// reader written apart from the encoder.
    fn scan(pixels: &[bool], side: usize) -> Vec<String> {
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if pixels[y * side + x] { 0 } else { 255 }
        });
        img.detect_grids()
            .iter()
            .filter_map(|g| g.decode().ok().map(|(_, text)| text))
            .collect()
    }

    #[test]
    fn the_painted_squares_scan_to_the_join_address() {
        for ip in ["192.168.1.20", "10.0.0.5", "fd00:1234:5678::abcd"] {
            let url = natter_server::web::qr::join_url(ip.parse().unwrap(), 5555);
            let (pixels, side) = painted(&url);
            assert_eq!(scan(&pixels, side), [url]);
        }
    }

    #[test]
    fn the_code_has_a_light_margin_of_two_modules() {
        let (pixels, side) = painted("http://192.168.1.20:5555/");
        let margin = (QUIET as i32 * SCALE) as usize;
        assert!(margin >= 2 * SCALE as usize);
        for y in 0..side {
            for x in 0..side {
                let inside =
                    (margin..side - margin).contains(&x) && (margin..side - margin).contains(&y);
                assert!(
                    inside || !pixels[y * side + x],
                    "dark at ({x}, {y}) in the margin"
                );
            }
        }
        // The finder pattern's corner is the first dark pixel inside.
        assert!(pixels[margin * side + margin]);
    }

    #[test]
    fn a_narrow_banner_keeps_the_first_codes() {
        let codes = [150, 150, 170];
        assert_eq!(codes_that_fit(1268, 8, &codes), 3);
        // A 640-pixel window: room for two next to the sentence.
        assert_eq!(codes_that_fit(620, 8, &codes), 2);
        assert_eq!(codes_that_fit(MIN_TEXT_W + 157, 8, &codes), 0);
        assert_eq!(codes_that_fit(MIN_TEXT_W + 158, 8, &codes), 1);
        assert_eq!(codes_that_fit(100, 8, &codes), 0);
        assert_eq!(codes_that_fit(1268, 8, &[]), 0);
    }

    #[test]
    fn a_lan_address_fits_the_banner() {
        let url = natter_server::web::qr::join_url("192.168.100.200".parse().unwrap(), 65535);
        let m = Modules::of(&url).unwrap();
        let (w, h) = frame_size(m.width);
        assert!(w <= 160 && h <= 160, "{w}x{h} for {url}");
        let v6 = natter_server::web::qr::join_url("fd00:1234:5678::abcd".parse().unwrap(), 5555);
        let m6 = Modules::of(&v6).unwrap();
        assert!(frame_size(m6.width).1 <= 180);
    }
}
