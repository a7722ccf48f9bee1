#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what it needs, then checks
# formatting, lints, every test (the client's window tests drive real
# windows on a virtual X server), the no_std builds of the core, the static
# server and client builds, the Windows exes and their tests under Wine,
# the core's tests under Miri, the firmware demo on QEMU and a bounded
# fuzzing run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_rust
rustup component add rustfmt clippy >/dev/null
rustup target add thumbv7em-none-eabihf thumbv6m-none-eabi x86_64-unknown-linux-musl >/dev/null
apt_install file
ensure_gui_build
ensure_gui_test
# Real IRC clients for server-std/tests/irssi.rs and weechat.rs, driven in tmux.
apt_install irssi weechat-curses tmux
# Node.js runs the page's codec against the core's vectors (the tests step)
# and TypeScript's checker over the page's scripts.
command -v node >/dev/null || apt_install nodejs
# Real browsers for the page's checks (server-std/tests/web/).
apt_install chromium chromium-driver python3-selenium

step "format" cargo fmt --all --check
step "format (firmware)" bash -c "cd firmware && cargo fmt --check"
step "format (fuzz)" bash -c "cd fuzz && cargo fmt --all --check"
step "clippy" cargo clippy --workspace --all-targets -- -D warnings
step "clippy (core, defmt)" cargo clippy -p natter-core --features defmt -- -D warnings
step "clippy (core, arbitrary)" cargo clippy -p natter-core --all-targets --features arbitrary -- -D warnings
step "tests" cargo test --workspace --exclude natter-client
# The client's tests include windows driven with xdotool: under xvfb-run
# they get an X server of their own (no window manager, as on CI).
step "client tests (windows on Xvfb)" xvfb-run -a -s "-screen 0 1280x800x24" cargo test -p natter-client
step "page: type check (tsc over server-std/web)" scripts/web-check.sh
# The page in headless Chromium: two browsers, then a whole classroom (two
# browsers, a window on Xvfb and irssi in tmux) with a server restart.
# Debian's python3 has selenium (a pyenv one on PATH may not).
step "page in Chromium" /usr/bin/python3 server-std/tests/web/page_check.py
step "browsers, window and irssi in one room" xvfb-run -a -s "-screen 0 1280x800x24" \
    /usr/bin/python3 server-std/tests/web/classroom_check.py
step "docs" env RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps
step "core on thumbv7em" cargo build -p natter-core --target thumbv7em-none-eabihf
step "core on thumbv7em with defmt" cargo build -p natter-core --target thumbv7em-none-eabihf --features defmt
step "core on thumbv6m" cargo build -p natter-core --target thumbv6m-none-eabi
step "core on thumbv6m with defmt" cargo build -p natter-core --target thumbv6m-none-eabi --features defmt
step "static server and client" scripts/build-static.sh
step "windows: exes, tests, chat and window under Wine" scripts/windows.sh
step "core under Miri" scripts/miri.sh
step "firmware demo on QEMU" scripts/firmware.sh
step "clippy (firmware)" bash -c "cd firmware && cargo clippy --release --all-targets -- -D warnings"
step "fuzz every target (30 s each)" env FUZZ_SECONDS="${FUZZ_SECONDS:-30}" scripts/fuzz.sh

echo
echo "All checks passed."
