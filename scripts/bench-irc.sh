#!/usr/bin/env bash
# natter-server against ngIRCd and InspIRCd, all loaded as IRC servers by
# the same natter-bench in one run: 10, 50 and 100 clients in one channel,
# every client sending, each server started afresh for each run with its
# throttling off (configs in scripts/irc-bench/), on loopback ports. Three
# runs per server and size, servers taking turns; the median run (by
# deliveries/s) is reported with ratios natter/other.
#
#   CLIENTS="10 50 100"   client counts
#   RUNS=3                runs per server and count
#   DELIVERIES=2000000    deliveries per run (messages per sender follow)
#   BASELINE=path         also run this natter-server binary (an older
#                         build, say) as "before", in the same turns
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_rust
apt_install ngircd inspircd python3
cargo build --release -q -p natter-server

clients=${CLIENTS:-10 50 100}
servers="natter ngircd inspircd"
if [ -n "${BASELINE:-}" ]; then
    servers="natter before ngircd inspircd"
fi
runs=${RUNS:-3}
deliveries=${DELIVERIES:-2000000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
results="$work/results.jsonl"
port=$((20000 + RANDOM % 20000))

# Start one server on a fresh port; sets $pid and $port.
start() {
    port=$((port + 1))
    case $1 in
        natter | before)
            bin=target/release/natter-server
            [ "$1" = before ] && bin=$BASELINE
            "$bin" --bind "127.0.0.1:$port" --flood-rate 0 \
                --max-members 512 --log-level warn --server-name natter.bench >"$work/$1.log" 2>&1 &
            ;;
        ngircd)
            sed "s|@PORT@|$port|; s|@DIR@|$work|" scripts/irc-bench/ngircd.conf >"$work/ngircd.conf"
            ngircd -n -f "$work/ngircd.conf" >"$work/ngircd.out" 2>&1 &
            ;;
        inspircd)
            sed "s|@PORT@|$port|; s|@DIR@|$work|g" scripts/irc-bench/inspircd.conf >"$work/inspircd.conf"
            inspircd --config="$work/inspircd.conf" --nofork --runasroot >"$work/inspircd.out" 2>&1 &
            ;;
    esac
    pid=$!
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "error: $1 did not start on port $port" >&2
    exit 1
}

for n in $clients; do
    messages=$((deliveries / (n * (n - 1)) + 1))
    for run in $(seq "$runs"); do
        for server in $servers; do
            start "$server"
            target/release/natter-bench run --proto irc --addr "127.0.0.1:$port" \
                --clients "$n" --messages "$messages" --server-pid "$pid" \
                --label "$server" --timeout 120 --json | grep '^{' >>"$results" || true
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        done
    done
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
def median(server, n):
    runs = sorted((r for r in rows if r["server"] == server and r["clients"] == n),
                  key=lambda r: r["deliveries_per_s"])
    return runs[len(runs) // 2] if runs else None
print("clients  server     deliv/s  natter÷x  lost    p99_us  cpu_us/del  x÷natter  rss_kb")
for n in sorted({r["clients"] for r in rows}):
    nat = median("natter", n)
    for server in ["natter", "before", "ngircd", "inspircd"]:
        if server == "before" and not any(r["server"] == "before" for r in rows):
            continue
        r = median(server, n)
        if r is None:
            print(f"{n:7}  {server:8}  (no run)")
            continue
        speed = nat["deliveries_per_s"] / r["deliveries_per_s"] if r["deliveries_per_s"] else 0
        cpu = r["server_cpu_us_per_delivery"]
        cpu_ratio = (cpu / nat["server_cpu_us_per_delivery"]) if cpu and nat["server_cpu_us_per_delivery"] else 0
        ratio = "-" if server == "natter" else f"{speed:.2f}"
        cratio = "-" if server == "natter" else f"{cpu_ratio:.2f}"
        print(f"{n:7}  {server:8} {r['deliveries_per_s']:10.0f}  {ratio:>8}  {r['lost']:4}  {r['p99_us']:8.1f}  {cpu or 0:10.4f}  {cratio:>8}  {r['server_rss_peak_kb'] or 0:6}")
PY
