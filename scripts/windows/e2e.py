#!/usr/bin/env python3
"""natter-server.exe under Wine, end to end: IRC users chat through it
both ways over IPv4 and IPv6 (one dual-stack listener), natter clients
(natter-bench, the Linux build) lose nothing through it, and Ctrl+C says
goodbye to everyone before it exits 0.

    scripts/windows/e2e.py path/to/natter-server.exe path/to/natter-bench

Loopback only; every wait is bounded."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from irc import Irc, free_port  # noqa: E402


def main():
    exe, bench = sys.argv[1], sys.argv[2]
    port = free_port()
    server = subprocess.Popen(
        # No flood limit: natter-bench sends faster than a class types.
        ["wine", exe, "--bind", f"[::]:{port}", "--server-name", "windows.test",
         "--flood-rate", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    printed = []
    ready = threading.Event()

    def read_output():
        for line in server.stdout:
            printed.append(line.rstrip("\n"))
            if "Press Ctrl+C to stop" in line:
                ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    try:
        if not ready.wait(60):
            raise AssertionError(f"natter-server.exe did not start: {printed}")
        print("natter-server.exe under Wine says:")
        for line in printed:
            print("   ", line)
        assert any("address:" in line for line in printed), "no addresses printed"

        ann = Irc("127.0.0.1", port, "ann")
        bob = Irc("::1", port, "bob")
        ann.join()
        bob.join()
        ann.send("PRIVMSG #lobby :Grüße from IPv4 ✓")
        got = bob.until("PRIVMSG #lobby")
        assert got.endswith(":Grüße from IPv4 ✓"), got
        bob.send("PRIVMSG #lobby :and back from IPv6 日本")
        got = ann.until("PRIVMSG #lobby")
        assert got.endswith(":and back from IPv6 日本"), got
        print("IRC over IPv4 and IPv6: both ways")

        for proto in ["natter", "irc"]:
            out = subprocess.run(
                [bench, "run", "--protocol", proto, "--addr", f"127.0.0.1:{port}",
                 "--clients", "5", "--messages", "40", "--timeout", "60", "--json"],
                capture_output=True, text=True, timeout=120,
            )
            runs = [json.loads(l) for l in out.stdout.splitlines() if l.startswith("{")]
            assert out.returncode == 0 and runs, out.stderr
            r = runs[-1]
            assert r["lost"] == 0 and r["duplicated"] == 0, r
            print(f"natter-bench {proto}: {r['deliveries']} deliveries, nothing lost")

        # Wine turns SIGINT into the console's Ctrl+C.
        os.kill(server.pid, signal.SIGINT)
        for user in (ann, bob):
            got = user.until("ERROR")
            assert "shutting down" in got, got
        assert server.wait(timeout=30) == 0, "natter-server.exe did not exit 0"
        print("Ctrl+C: everyone was told, and it exited 0")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
