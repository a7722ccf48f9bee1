#!/usr/bin/env bash
# Build natter-server as one statically linked file and check that it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust
rustup target add x86_64-unknown-linux-musl >/dev/null
command -v file >/dev/null 2>&1 || apt_install file

cargo build --release -p natter-server --target x86_64-unknown-linux-musl
bin=target/x86_64-unknown-linux-musl/release/natter-server
file "$bin"
if ! file "$bin" | grep -q "static"; then
    echo "error: $bin is not statically linked" >&2
    exit 1
fi
size=$(stat -c %s "$bin")
echo "natter-server: $size bytes, statically linked"

# The client: glibc's static libraries with static X11, Xft, fontconfig and
# freetype (Debian's -dev packages ship the .a files), without pango, which
# has no static build. The libraries fltk-sys names come first on the link
# line; the ones they need themselves follow in a group, so their order
# does not matter.
apt_install libxcb1-dev libxau-dev libxdmcp-dev libexpat1-dev libpng-dev zlib1g-dev \
    libbrotli-dev libbz2-dev libbsd-dev libmd-dev
ensure_gui_build
static_libs="-Wl,--start-group -lXft -lfontconfig -lfreetype -lpng16 -lz -lbrotlidec -lbrotlicommon -lbz2 -lexpat -lXinerama -lXcursor -lXrender -lXfixes -lXext -lX11 -lxcb -lXau -lXdmcp -lbsd -lmd -lpthread -lm -lstdc++ -Wl,--end-group"
target=x86_64-unknown-linux-gnu
RUSTFLAGS="-C target-feature=+crt-static -C linker=$(pwd)/scripts/static-link.sh -C link-arg=${static_libs// / -C link-arg=}" \
    cargo build --release -p natter-client --features no-pango --target "$target" \
    --target-dir target/static
client=target/static/$target/release/natter
file "$client"
if ! file "$client" | grep -q "statically linked"; then
    echo "error: $client is not statically linked" >&2
    exit 1
fi
if ldd "$client" 2>&1 | grep -q "=>"; then
    echo "error: ldd lists shared libraries for $client" >&2
    exit 1
fi
size=$(stat -c %s "$client")
echo "natter (client): $size bytes, statically linked, no pango"
