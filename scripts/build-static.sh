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
