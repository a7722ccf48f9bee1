//! natter.exe's icon and version information (Windows builds only).

include!("../assets/windows_resource.rs");

fn main() {
    windows_resource("natter", "natter.exe", "natter: chat with your class");
}
