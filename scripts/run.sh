#!/usr/bin/env bash
# Build the natter client (installing what is missing) and open its window,
# with "Host a room on this computer" ready: one command, a working chat.
# Arguments go to natter, e.g. `scripts/run.sh --host 10.0.0.5 --connect`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust
ensure_gui_build
cargo build --release -q -p natter-client
exec target/release/natter "$@"
