#!/usr/bin/env bash
# Build natter (installing what is missing) and start the chat server alone,
# without a window. Arguments go to natter-server, e.g.
# `scripts/serve.sh --password sesame`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust
cargo build --release -q -p natter-server
exec target/release/natter-server "$@"
