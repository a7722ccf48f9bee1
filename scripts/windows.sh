#!/usr/bin/env bash
# Windows, checked from Linux: build natter.exe and natter-server.exe
# (scripts/build-windows.sh: one file each, Windows' own DLLs only), run
# the core's and the server's test suites for x86_64-pc-windows-gnu under
# Wine, then natter-server.exe under Wine end to end (IRC users over IPv4
# and IPv6, natter clients losing nothing, Ctrl+C saying goodbye), and a
# class on it: natter.exe's window under Wine, the Linux window and irssi in
# tmux, each line reaching the others (scripts/windows/). Installs what it
# needs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust

step "windows: build both exes" scripts/build-windows.sh
ensure_windows_build
ensure_windows_test
target=x86_64-pc-windows-gnu
built=${CARGO_TARGET_DIR:-target}
out=$built/$target/release
step "windows: clippy" cargo clippy --target "$target" -p natter-core -p natter-server \
    --all-targets -- -D warnings
# Under Wine (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine). The tests
# Unix alone can run (signals, ulimit, irssi and WeeChat in tmux) say so
# where they are cfg'd out.
step "windows: core and server tests under Wine" \
    timeout 1800 cargo test --target "$target" -p natter-core -p natter-server
# The Linux natter-bench (natter clients), natter window and irssi against
# the Windows server.
apt_install irssi tmux
cargo build --release -q -p natter-server --bin natter-bench
cargo build --release -q -p natter-client --bin natter
step "windows: natter-server.exe end to end under Wine" \
    timeout 300 python3 scripts/windows/e2e.py "$out/natter-server.exe" "$built/release/natter-bench"
step "windows: a class on natter-server.exe: natter.exe under Wine, the Linux window, irssi" \
    timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" \
    python3 scripts/windows/gui.py "$out/natter-server.exe" "$out/natter.exe" \
    "$built/release/natter" target/gui-shots
wineserver -k || true
