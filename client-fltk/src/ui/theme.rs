//! Light and dark colours. FLTK widgets draw with a few indexed colours
//! (background, input background, text, selection), so switching theme is
//! setting those and redrawing; the conversation view has its own style
//! table, rebuilt from [`Colors`].

use fltk::app;
use fltk::enums::Color;

use crate::settings::Theme;

/// The colours the conversation view needs besides the widgets' own.
#[derive(Debug, Clone, Copy)]
pub struct Colors {
    pub text: Color,
    /// Times, pending marks: present but quiet.
    pub dim: Color,
    /// Joins, parts, topics: quieter than talk.
    pub system: Color,
    pub error: Color,
    pub private: Color,
    /// Background of a line that mentions you.
    pub mention_bg: Color,
    pub view_bg: Color,
    /// The hosting banner's background and text.
    pub banner_bg: Color,
    pub banner_text: Color,
}

/// Normal text size: readable at arm's length on a classroom laptop.
pub const TEXT_SIZE: i32 = 15;

/// Set FLTK's colours for `theme` and return the view's.
pub fn apply(theme: Theme) -> Colors {
    let rgb = |(r, g, b): (u8, u8, u8)| Color::from_rgb(r, g, b);
    match theme {
        Theme::Light => {
            app::background(236, 236, 236);
            app::background2(255, 255, 255);
            app::foreground(20, 20, 20);
            app::set_selection_color(66, 133, 244);
            Colors {
                text: rgb((20, 20, 20)),
                dim: rgb((120, 120, 120)),
                system: rgb((105, 105, 105)),
                error: rgb((190, 30, 30)),
                private: rgb((140, 40, 170)),
                mention_bg: rgb((255, 240, 170)),
                view_bg: rgb((255, 255, 255)),
                banner_bg: rgb((255, 236, 179)),
                banner_text: rgb((40, 30, 0)),
            }
        }
        Theme::Dark => {
            app::background(45, 45, 48);
            app::background2(30, 30, 30);
            app::foreground(225, 225, 225);
            app::set_selection_color(50, 110, 200);
            Colors {
                text: rgb((225, 225, 225)),
                dim: rgb((140, 140, 140)),
                system: rgb((150, 150, 150)),
                error: rgb((255, 110, 100)),
                private: rgb((215, 140, 255)),
                mention_bg: rgb((90, 75, 20)),
                view_bg: rgb((30, 30, 30)),
                banner_bg: rgb((80, 65, 20)),
                banner_text: rgb((255, 235, 180)),
            }
        }
    }
}

/// The label of the button that switches to the other theme.
pub fn switch_label(theme: Theme) -> &'static str {
    match theme {
        Theme::Light => "Dark mode",
        Theme::Dark => "Light mode",
    }
}

/// The family the window's text is drawn in: its Latin, Greek, Cyrillic
/// and CJK glyphs share one set of line metrics. With pango any missing
/// glyph falls back to another font (colour emoji included), but a
/// fallback with a taller ascent draws its run lower than the rest of the
/// line and clips it; with plain Xft (the static build) there is no
/// fallback at all, so one family covering the most scripts matters even
/// more. Where it is not installed, fontconfig substitutes the default
/// sans-serif font.
const TEXT_FAMILY: &str = "Noto Sans CJK SC";

/// Point FLTK's Helvetica slots (the ones every widget uses) at
/// [`TEXT_FAMILY`], in the naming scheme of the text engine built in.
pub fn use_wide_fonts() {
    use fltk::enums::Font;
    let slots = [
        Font::Helvetica,
        Font::HelveticaBold,
        Font::HelveticaItalic,
        Font::HelveticaBoldItalic,
    ];
    // pango takes font descriptions; FLTK's Xft driver a style letter
    // (' ' plain, B, I, P bold italic) in front of a fontconfig family.
    let names: [String; 4] = if cfg!(feature = "no-pango") {
        [' ', 'B', 'I', 'P'].map(|style| format!("{style}{TEXT_FAMILY}"))
    } else {
        ["", " Bold", " Italic", " Bold Italic"].map(|style| format!("{TEXT_FAMILY}{style}"))
    };
    for (slot, name) in slots.into_iter().zip(names) {
        Font::set_font(slot, &name);
    }
}
