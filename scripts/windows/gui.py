#!/usr/bin/env python3
"""The classroom on Windows, as people see it: natter-server.exe runs under
Wine; a student on Windows (natter.exe under Wine), a student on Linux (the
Linux natter window) and an IRC user (irssi in tmux) chat through it, each
line reaching the two others. The Windows student types accents and an
emoji; the saved transcripts and irssi's screen are checked, and a
screenshot of the two windows goes to the shots folder.

    xvfb-run -a scripts/windows/gui.py natter-server.exe natter.exe natter [shots]

Under an X display with no window manager (Xvfb): windows are found by
title and focused with xdotool, and typed into with keys, since FLTK draws
its own widgets. Loopback only; every wait is bounded."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from irc import free_port  # noqa: E402

FROM_WINDOWS = "Grüße from Windows, ça va? 👋"
FROM_LINUX = "Hello from Linux, 日本語 ✓"
FROM_IRSSI = "and hi from irssi"


def run(*args, check=True, timeout=30):
    return subprocess.run(list(args), capture_output=True, text=True,
                          timeout=timeout, check=check)


def wait(what, probe, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = probe()
        if got:
            return got
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {seconds} s")


class Window:
    """A natter window (Windows' under Wine, or Linux's), by its title."""

    def __init__(self, command, nick, work, x):
        self.nick = nick
        self.saved = os.path.join(work, f"{nick}.txt")
        env = dict(os.environ, NATTER_CONFIG_DIR=os.path.join(work, nick))
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self.id = wait(f"{nick}'s window", lambda: run(
            "xdotool", "search", "--onlyvisible", "--name", f"natter.*{nick}",
            check=False).stdout.split())[0]
        # A window under Wine shows before it takes the focus.
        self.focus()
        run("xdotool", "windowmove", self.id, str(x), "40", check=False)

    def focus(self):
        wait(f"{self.nick}'s focus", lambda: run(
            "xdotool", "windowfocus", "--sync", self.id, check=False,
            timeout=10).returncode == 0, seconds=20)
        time.sleep(0.5)

    def type_line(self, text):
        # A click in the line where one types (near the window's bottom
        # left) gives it the keyboard, under Wine too; then the keys go to
        # whatever has it, as a person's would.
        self.focus()
        height = int(run("xdotool", "getwindowgeometry", "--shell", self.id)
                     .stdout.split("HEIGHT=")[1].split()[0])
        run("xdotool", "mousemove", "--window", self.id, "120", str(height - 52),
            "click", "1")
        time.sleep(0.3)
        run("xdotool", "type", "--delay", "40", text)
        run("xdotool", "key", "Return")

    def shows(self, *wanted):
        """Wait until the saved transcript holds every line in `wanted`."""
        def saved():
            if os.path.exists(self.saved):
                os.remove(self.saved)
            self.type_line(f"/save {self.saved}")
            text = wait(f"{self.nick}'s transcript", lambda: _read(self.saved), 10)
            return text if all(w in text for w in wanted) else None
        return wait(f"{self.nick} showing {wanted}", saved, seconds=60)

    def close(self):
        self.process.kill()
        self.process.wait()


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


class Irssi:
    def __init__(self, port, work):
        self.session = f"natter-win-{os.getpid()}"
        home = os.path.join(work, "irssi")
        os.makedirs(home)
        # tmux -u: UTF-8 whatever the locale says.
        run("tmux", "-u", "new-session", "-d", "-s", self.session, "-x", "200", "-y", "50",
            f"irssi --home={home} -n irv -c 127.0.0.1 -p {port}")
        self.shows("The lobby is")
        self.type("/join #lobby")
        self.shows("Total of")

    def screen(self):
        return run("tmux", "capture-pane", "-p", "-t", self.session, check=False).stdout

    def shows(self, text):
        try:
            return wait(f"irssi showing {text!r}", lambda: text in self.screen(), seconds=40)
        except AssertionError as e:
            raise AssertionError(f"{e}; the screen:\n{self.screen()}") from e

    def type(self, line):
        run("tmux", "send-keys", "-t", self.session, "-l", line)
        run("tmux", "send-keys", "-t", self.session, "Enter")

    def close(self):
        run("tmux", "kill-session", "-t", self.session, check=False)


def main():
    server_exe, natter_exe, natter_linux = sys.argv[1:4]
    shots = sys.argv[4] if len(sys.argv) > 4 else "target/gui-shots"
    port = free_port()
    work = tempfile.mkdtemp(prefix="natter-wine-class-")
    server = subprocess.Popen(["wine", server_exe, "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    people = []
    try:
        wait("natter-server.exe", lambda: run(
            "python3", "-c", f"import socket; socket.create_connection(('127.0.0.1', {port}), 1)",
            check=False).returncode == 0, seconds=60)
        irssi = Irssi(port, work)
        people.append(irssi)
        args = ["--host", "127.0.0.1", "--port", str(port), "--connect", "--nick"]
        ann = Window(["wine", natter_exe, *args, "ann"], "ann", work, 0)
        people.append(ann)
        lin = Window([natter_linux, *args, "lin"], "lin", work, 640)
        people.append(lin)
        irssi.shows("lin")

        ann.type_line(FROM_WINDOWS)
        lin.type_line(FROM_LINUX)
        irssi.type(FROM_IRSSI)
        irssi.shows(FROM_WINDOWS)
        irssi.shows(FROM_LINUX)
        lin.shows(FROM_WINDOWS, FROM_IRSSI)
        text = ann.shows(FROM_LINUX, FROM_IRSSI)
        print("natter.exe's transcript:", *text.splitlines()[-4:], sep="\n    ")
        os.makedirs(shots, exist_ok=True)
        path = os.path.join(shots, "windows-and-linux.png")
        run("import", "-window", "root", path)
        print("screenshot:", path)
    finally:
        for person in people:
            person.close()
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
