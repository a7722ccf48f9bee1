//! The page and its files, built into the binary by `build.rs` from
//! `server-std/web/`.

/// One file of the page.
#[derive(Debug, PartialEq, Eq)]
pub struct Asset {
    /// Where it is served, such as `/app.js`.
    pub path: &'static str,
    pub content_type: &'static str,
    /// A strong ETag from its bytes, quoted.
    pub etag: &'static str,
    pub body: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The file served at `path` (`/` is `/index.html`).
pub fn find(path: &str) -> Option<&'static Asset> {
    let path = if path == "/" { "/index.html" } else { path };
    ASSETS.iter().find(|a| a.path == path)
}

/// Bytes of the page and everything it loads.
pub fn total_size() -> usize {
    ASSETS.iter().map(|a| a.body.len()).sum()
}
