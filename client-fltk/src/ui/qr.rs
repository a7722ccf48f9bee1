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

/// One QR code in a frame that draws it.
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

    /// Show the code of `url`, or nothing (hidden) with `None` or when it is
    /// too long for a code.
    pub fn set(&mut self, url: Option<&str>) {
        let shown = url.and_then(|url| {
            Modules::of(url).map(|modules| Shown {
                modules,
                url: url.to_owned(),
            })
        });
        let visible = shown.is_some();
        if let Some(s) = &shown {
            self.frame
                .set_tooltip(&format!("Phones and tablets: scan to open {}", s.url));
        }
        *self.shown.borrow_mut() = shown;
        if visible {
            self.frame.show();
        } else {
            self.frame.hide();
        }
        self.frame.redraw();
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

fn draw_code(x: i32, y: i32, w: i32, s: &Shown) {
    let side = side(s.modules.width);
    let left = x + (w - side) / 2;
    draw::set_draw_color(Color::White);
    draw::draw_rectf(left, y, side, side);
    draw::set_draw_color(Color::Black);
    for (my, row) in s.modules.dark.chunks(s.modules.width).enumerate() {
        for (mx, &dark) in row.iter().enumerate() {
            if dark {
                let px = left + (mx as i32 + QUIET as i32) * SCALE;
                let py = y + (my as i32 + QUIET as i32) * SCALE;
                draw::draw_rectf(px, py, SCALE, SCALE);
            }
        }
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
