#!/usr/bin/env bash
# Build the firmware demo (firmware/: the real natter-core hub and five
# simulated members on a Cortex-M3), show its size and natter-core's own
# share of it, run it on QEMU's lm3s6965evb board, and fail unless every
# check in it passed. Installs what it needs (QEMU, ARM binutils, the Rust
# target) on a Debian or Ubuntu machine. Runs from any directory, as often
# as you like.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

TARGET=thumbv7m-none-eabi
OUT=firmware/target/$TARGET/release
ELF=$OUT/natter-firmware

ensure_rust
rustup target add "$TARGET" >/dev/null
command -v qemu-system-arm >/dev/null 2>&1 || apt_install qemu-system-arm
command -v arm-none-eabi-size >/dev/null 2>&1 || apt_install binutils-arm-none-eabi

# The firmware is a project of its own (own workspace, target and lock
# file); the footprint examples are two more tiny ELFs to compare.
step "build firmware" bash -c "cd firmware && cargo build --release --bins --examples"
# The footprint once more with roles and room controls, for what they cost
# (its own target directory, so the two builds do not undo each other).
step "build footprint with controls" bash -c \
    "cd firmware && cargo build --release --examples --features controls --target-dir target/controls"

# text is flash (code and constants), data is flash and RAM, bss is RAM.
sizes() {
    arm-none-eabi-size "$1" | awk 'NR == 2 { print $1, $2, $3 }'
}

echo
echo "==> size"
arm-none-eabi-size "$ELF"
read -r text data bss < <(sizes "$ELF")
echo "firmware: flash $((text + data)) B, static RAM $((data + bss)) B (of 256 KiB and 64 KiB)"

read -r base_text base_data base_bss < <(sizes "$OUT/examples/footprint_base")
read -r hub_text hub_data hub_bss < <(sizes "$OUT/examples/footprint_hub")
hub_flash=$((hub_text + hub_data - base_text - base_data))
hub_ram=$((hub_data + hub_bss - base_data - base_bss))
echo "natter-core's hub alone, Hub<8, 2, 2048, 128, 3072>: flash $hub_flash B, static RAM $hub_ram B"
FULL=firmware/target/controls/$TARGET/release/examples
read -r full_text full_data full_bss < <(sizes "$FULL/footprint_hub")
full_flash=$((full_text + full_data - base_text - base_data))
full_ram=$((full_data + full_bss - base_data - base_bss))
echo "the same hub with roles and room controls: flash $full_flash B, static RAM $full_ram B"
echo "roles and room controls cost: flash $((full_flash - hub_flash)) B, static RAM $((full_ram - hub_ram)) B"
if [ "$hub_flash" -ge 32768 ]; then
    echo "error: the firmware's hub is $hub_flash B of flash, over the 32 KB it must fit in" >&2
    exit 1
fi

# The same command as the runner in firmware/.cargo/config.toml. The
# firmware's semihosting exit becomes QEMU's exit status; `timeout` ends a
# hung run (status 124).
echo
echo "==> run on qemu-system-arm (lm3s6965evb, Cortex-M3)"
status=0
timeout 60 qemu-system-arm -cpu cortex-m3 -machine lm3s6965evb -nographic \
    -semihosting-config enable=on,target=native -kernel "$ELF" || status=$?
if [ "$status" -ne 0 ]; then
    echo "error: the firmware run failed (QEMU exit status $status; 124 is a timeout)" >&2
    exit 1
fi
echo
echo "firmware demo passed"
