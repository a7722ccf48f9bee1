// The icon and version information of a Windows exe, shared by the
// build scripts of natter.exe and natter-server.exe (each `include!`s
// this file). For a Windows target built with mingw, it writes a resource
// script, compiles it with mingw's `windres` and links the object into
// the one binary named; for any other target it does nothing.

use std::path::PathBuf;
use std::process::Command;

/// Give the binary `bin` (`file` on disk) natter's icon and version
/// information, described as `what`.
fn windows_resource(bin: &str, file: &str, what: &str) {
    println!("cargo:rerun-if-changed=../assets/natter.ico");
    println!("cargo:rerun-if-changed=../assets/windows_resource.rs");
    println!("cargo:rerun-if-env-changed=WINDRES");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os != "windows" || env != "gnu" {
        return;
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let icon = dir.join("../assets/natter.ico");
    let number = |part: &str| std::env::var(part).unwrap_or_else(|_| "0".into());
    let (major, minor, patch) = (
        number("CARGO_PKG_VERSION_MAJOR"),
        number("CARGO_PKG_VERSION_MINOR"),
        number("CARGO_PKG_VERSION_PATCH"),
    );
    let version = format!("{major}.{minor}.{patch}");
    let rc = format!(
        r#"1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "FileDescription", "{what}"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "{bin}"
      VALUE "OriginalFilename", "{file}"
      VALUE "ProductName", "natter"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#,
        icon = icon.display().to_string().replace('\\', "/"),
    );
    let script = out.join(format!("{bin}.rc"));
    let object = out.join(format!("{bin}-resource.o"));
    std::fs::write(&script, rc).expect("write the resource script");
    let windres = std::env::var("WINDRES").unwrap_or_else(|_| {
        if cfg!(windows) {
            "windres".into()
        } else {
            "x86_64-w64-mingw32-windres".into()
        }
    });
    let status = Command::new(&windres)
        .arg("--input")
        .arg(&script)
        .args(["--output-format=coff", "--output"])
        .arg(&object)
        .status()
        .unwrap_or_else(|e| panic!("{windres} (mingw's resource compiler) did not run: {e}"));
    assert!(status.success(), "{windres} failed on {}", script.display());
    println!("cargo:rustc-link-arg-bin={bin}={}", object.display());
}
