#!/usr/bin/env bash
# Run natter-core's tests under Miri, which checks for undefined behaviour
# (the core forbids `unsafe`, but its dependencies, heapless among them, do
# use it). Needs the nightly toolchain, which this installs.
#
# Property tests run 4 cases each here instead of 256: Miri is about a
# thousand times slower than native code, and the point is to execute every
# code path under its checks, which a few random cases do; the full case
# counts run natively in `cargo test`. Isolation is off so the protocol
# document test can read docs/PROTOCOL.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_rust
rustup toolchain install nightly --profile minimal --component miri,rust-src >/dev/null
cargo +nightly miri setup >/dev/null
MIRIFLAGS="-Zmiri-disable-isolation" PROPTEST_CASES=4 \
    cargo +nightly miri test -p natter-core --lib --tests
