//! natter-server's build script:
//! * the web page into the binary: every file in `web/` (not `web/test/`
//!   nor hidden files) becomes an entry of `ASSETS` in `$OUT_DIR/assets.rs`,
//!   with its content type and an ETag made from its bytes (FNV-1a), so a
//!   new server never has its page served from a browser's cache;
//! * natter-server.exe's icon and version information (Windows builds only).

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

include!("../assets/windows_resource.rs");

fn main() {
    windows_resource(
        "natter-server",
        "natter-server.exe",
        "natter-server: the class's chat server",
    );
    web_assets();
}

fn web_assets() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("web");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file());
    files.sort();
    let mut out = String::from("pub static ASSETS: &[Asset] = &[\n");
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 file name");
        if name.starts_with('.') {
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let content_type = match ext {
            "html" => "text/html; charset=utf-8",
            "js" | "mjs" => "text/javascript; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "ico" => "image/x-icon",
            "json" => "application/json",
            "webmanifest" => "application/manifest+json",
            "txt" => "text/plain; charset=utf-8",
            other => panic!("web/{name}: no content type for .{other}"),
        };
        let bytes = fs::read(&path).expect("a readable web file");
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            out,
            "    Asset {{ path: \"/{name}\", content_type: \"{content_type}\", \
             etag: \"\\\"{hash:016x}\\\"\", body: include_bytes!({:?}) }},",
            path.display().to_string()
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets it")).join("assets.rs");
    fs::write(dest, out).expect("writing OUT_DIR/assets.rs");
}
