#!/usr/bin/env bash
# Run every fuzz target for a bounded time, starting from the committed
# seeds and regressions (docs/FUZZING.md).
#
#   FUZZ_SECONDS=30    seconds per target (default 30)
#   FUZZ_TARGETS="decode room"   which targets (default: all seven)
#   FUZZ_TIMEOUT=10    seconds one input may take before it counts as a hang
#
# Uses nightly with AddressSanitizer when `cargo +nightly` works, else
# stable without a sanitizer. Prints total executions and exec/s per
# target, and exits non-zero if any target crashes (the input is left in
# fuzz/artifacts/<target>/; commit it under fuzz/regressions/<target>/
# with the fix).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust

seconds=${FUZZ_SECONDS:-30}
timeout=${FUZZ_TIMEOUT:-10}
read -r -a targets <<<"${FUZZ_TARGETS:-decode roundtrip chunked room irc_line irc_room web}"

if cargo +nightly --version >/dev/null 2>&1; then
    toolchain=(+nightly)
    sanitizer=address
    flavour="nightly, AddressSanitizer"
else
    toolchain=()
    sanitizer=none
    flavour="stable, no sanitizer"
fi
if ! cargo "${toolchain[@]}" fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

logs=fuzz/target/logs
mkdir -p "$logs"
failed=()
summary=()
for t in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$t"
    # New inputs go to the first directory (git-ignored); seeds and
    # regressions are only read.
    dirs=("fuzz/corpus/$t" "fuzz/seeds/$t")
    [ -d "fuzz/regressions/$t" ] && dirs+=("fuzz/regressions/$t")
    log="$logs/$t.log"
    echo
    echo "==> fuzz $t for ${seconds} s ($flavour)"
    start=$SECONDS
    status=0
    cargo "${toolchain[@]}" fuzz run --release --debug-assertions -s "$sanitizer" "$t" "${dirs[@]}" -- \
        -max_total_time="$seconds" -timeout="$timeout" -print_final_stats=1 >"$log" 2>&1 || status=$?
    elapsed=$((SECONDS - start))
    execs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log" | tail -n 1)
    rate=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$log" | tail -n 1)
    if [ "$status" -ne 0 ]; then
        failed+=("$t")
        grep -E "panicked at|ERROR: (libFuzzer|AddressSanitizer)|Test unit written to" "$log" >&2 || tail -n 30 "$log" >&2
        line="$t: FAILED after ${execs:-?} executions (log: $log)"
    else
        line="$t: ${execs:-?} executions, ${rate:-?} exec/s"
    fi
    echo "$line ($elapsed s with the build)"
    summary+=("$line")
done

echo
echo "Fuzzing summary ($flavour, ${seconds} s per target):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
