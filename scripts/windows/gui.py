#!/usr/bin/env python3
"""natter.exe, the Windows window, under Wine on a virtual X display: it
connects to a natter-server, its user types a line with accents and an
emoji, an IRC user in the same room receives it exactly and answers, and
the window's saved transcript holds both lines. Screenshots go to
target/gui-shots/.

    xvfb-run -a scripts/windows/gui.py natter.exe natter-server [shots dir]

Run under an X display with no window manager (Xvfb): the window is found
by its title and focused with xdotool, and typed into with keys, since FLTK
draws its own widgets. Loopback only; every wait is bounded."""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from irc import Irc, free_port  # noqa: E402

TYPED = "Grüße, ça va? 👋"
REPLY = "Très bien, merci! 日本語 ✓"


def xdotool(*args, check=True, timeout=30):
    return subprocess.run(["xdotool", *args], capture_output=True, text=True,
                          timeout=timeout, check=check)


def wait(what, probe, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {seconds} s")


def shot(shots, name):
    os.makedirs(shots, exist_ok=True)
    path = os.path.join(shots, name)
    subprocess.run(["import", "-window", "root", path], check=True, timeout=30)
    print("screenshot:", path)


def main():
    exe, server_bin = sys.argv[1], sys.argv[2]
    shots = sys.argv[3] if len(sys.argv) > 3 else "target/gui-shots"
    port = free_port()
    work = tempfile.mkdtemp(prefix="natter-wine-gui-")
    server = subprocess.Popen([server_bin, "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    window = None
    try:
        bob = wait("the server", lambda: _try(lambda: Irc("127.0.0.1", port, "bob")))
        bob.join()
        env = dict(os.environ, NATTER_CONFIG_DIR=os.path.join(work, "config"))
        window = subprocess.Popen(
            ["wine", exe, "--host", "127.0.0.1", "--port", str(port), "--nick", "ann",
             "--connect"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bob.until("JOIN #lobby")  # ann's window is in the room
        win = wait("natter.exe's window", lambda: xdotool(
            "search", "--onlyvisible", "--name", "natter", check=False).stdout.split())[0]
        # A window under Wine appears before it takes the focus.
        wait("focus", lambda: xdotool("windowfocus", "--sync", win, check=False,
                                      timeout=10).returncode == 0, seconds=20)
        time.sleep(1)
        xdotool("type", "--delay", "40", "--window", win, TYPED)
        xdotool("key", "--window", win, "Return")
        got = bob.until("PRIVMSG #lobby")
        assert got.endswith(":" + TYPED), f"bob got {got!r}, not {TYPED!r}"
        bob.send(f"PRIVMSG #lobby :{REPLY}")
        time.sleep(2)
        shot(shots, "windows-chat.png")
        saved = os.path.join(work, "transcript.txt")
        xdotool("type", "--delay", "40", "--window", win, f"/save {saved}")
        xdotool("key", "--window", win, "Return")
        text = wait("the saved transcript",
                    lambda: _read_if(saved, [TYPED, REPLY]), seconds=30)
        print("transcript:", *text.splitlines()[-3:], sep="\n    ")
    finally:
        if window is not None:
            window.kill()
            window.wait()
        server.kill()
        server.wait()


def _try(make):
    try:
        return make()
    except OSError:
        return None


def _read_if(path, wanted):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    return text if all(w in text for w in wanted) else None


if __name__ == "__main__":
    main()
