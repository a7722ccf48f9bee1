//! natter-server.exe's icon and version information (Windows builds only).

include!("../assets/windows_resource.rs");

fn main() {
    windows_resource(
        "natter-server",
        "natter-server.exe",
        "natter-server: the class's chat server",
    );
}
