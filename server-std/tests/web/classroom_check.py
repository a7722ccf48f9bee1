#!/usr/bin/env python3
"""A whole classroom in one room: two browsers (a student's laptop and the
teacher's phone, headless Chromium), a natter window (FLTK, on the X display
this runs under) and irssi (in tmux), on one natter-server.

Checks, as the people in the room would see it:
  * every line each of the four says reaches the three others;
  * the teacher, in a browser, mutes the window student, the IRC student and
    the browser student, each of whom is refused when they try to talk;
  * the server restarts; while the laptop's page is still away, someone
    says something; the page comes back and shows that line (replayed from
    the new server's history), though it was not there to hear it;
  * the browsers' consoles have no errors or warnings: none at all before
    the restart, and after it only Chromium's own "connection refused" for
    the page's tries while the server was down.
Saves screenshots (desktop light, phone dark, the X screen with the window)
and irssi's screen to $NATTER_SHOTS (default /tmp/natter-web).

    xvfb-run -a -s "-screen 0 1280x800x24" python3 server-std/tests/web/classroom_check.py

Needs natter-server and natter (debug builds), chromium, chromium-driver,
python3-selenium, irssi, tmux, xdotool and imagemagick. Exits non-zero
saying what failed.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from selenium.webdriver.common.by import By

import natter_web as page

WAIT = 20
# The whole check takes about 25 s; past this it is stuck, and says so.
DEADLINE = 100


def start_server(port):
    return page.start_server(port, "--teacher-password", page.TEACHER_PASSWORD,
                             "--history", "200")


def until(what, check, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=WAIT).stdout


class Irssi:
    """irssi in a tmux session of its own."""

    def __init__(self, port, home):
        self.name = f"natter-class-{os.getpid()}"
        run("tmux", "new-session", "-d", "-s", self.name, "-x", "160", "-y", "50",
            f"irssi --home={home} -n irc -c 127.0.0.1 -p {port}")

    def screen(self):
        return run("tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", self.name)

    def shows(self, text, timeout=WAIT):
        return until(f"irssi showing {text!r}", lambda: text in self.screen(), timeout)

    def type_line(self, line):
        run("tmux", "send-keys", "-t", self.name, "-l", line)
        run("tmux", "send-keys", "-t", self.name, "Enter")

    def stop(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


class Window:
    """The natter window, driven with xdotool as a person types."""

    TITLE = "natter — lobby — win"

    def __init__(self, port, config):
        """Starts the window; wait_open() waits for it (apart, so that the
        caller holds the process, to stop it, even if it never opens)."""
        self.proc = subprocess.Popen(
            [page.binary("natter"), "--host", "127.0.0.1", "--port", str(port),
             "--nick", "win", "--connect"],
            env={**os.environ, "NATTER_CONFIG_DIR": config},
            stdout=subprocess.DEVNULL)
        self.id = None

    def wait_open(self):
        until(f"the window titled {self.TITLE!r}", self.find)
        run("xdotool", "windowsize", self.id, "900", "560")

    def find(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"the window exited ({self.proc.returncode}) before it opened")
        found = subprocess.run(["xdotool", "search", "--name", "^natter"], capture_output=True,
                               text=True, timeout=WAIT).stdout.split()
        for wid in found:
            name = subprocess.run(["xdotool", "getwindowname", wid], capture_output=True,
                                  text=True, timeout=WAIT).stdout.strip()
            if name == self.TITLE:
                self.id = wid
                return True
        return False

    def type_line(self, text):
        run("xdotool", "windowfocus", "--sync", self.id)
        run("xdotool", "type", "--delay", "40", "--window", self.id, text)
        run("xdotool", "key", "--window", self.id, "Return")

    def clear_input(self):
        run("xdotool", "windowfocus", "--sync", self.id)
        run("xdotool", "key", "--window", self.id, "ctrl+a", "BackSpace")

    def transcript(self, path):
        """What the window shows, through its /save."""
        if os.path.exists(path):
            os.remove(path)
        self.type_line(f"/save {path}")
        time.sleep(0.5)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read()
        except OSError:
            return ""

    def shows(self, texts, path, timeout=WAIT):
        def check():
            t = self.transcript(path)
            return t if all(x in t for x in texts) else None
        try:
            return until(f"the window showing {texts}", check, timeout)
        except AssertionError:
            print("the window's transcript:\n" + self.transcript(path))
            raise

    def stop(self):
        page.stop(self.proc)


def irc_say_once(port, nick, text):
    """A latecomer on raw IRC says one line in #lobby and leaves."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
        s.sendall(f"NICK {nick}\r\nUSER {nick} 0 * :{nick}\r\n".encode())
        seen = b""
        while b" 001 " not in seen:
            got = s.recv(4096)
            if not got:
                raise AssertionError(f"the server closed the IRC connection: {seen!r}")
            seen += got
        s.sendall(f"JOIN #lobby\r\nPRIVMSG #lobby :{text}\r\nQUIT :bye\r\n".encode())
        while s.recv(4096):
            pass


def main():
    shots = page.SHOTS
    os.makedirs(shots, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="natter-class-")
    port = page.free_port()
    url = f"http://127.0.0.1:{port}/"
    server = start_server(port)
    drivers, irssi, window = [], None, None
    try:
        ann = page.browser(1280, 800)
        drivers.append(ann)
        page.join(ann, url, "ann")
        lee = page.browser(360, 740, dark=True)
        drivers.append(lee)
        page.join(lee, url, "ms-lee")
        window = Window(port, os.path.join(scratch, "window"))
        window.wait_open()
        irssi = Irssi(port, os.path.join(scratch, "irssi"))
        irssi.shows("Welcome to natter, irc")
        irssi.type_line("/join #lobby")
        irssi.shows("has joined #lobby")
        page.wait_for(ann, "everyone in the room", lambda d: all(
            n in d.find_element(By.ID, "member-list").text for n in ("ms-lee", "win", "irc")))

        lines = {
            "ann": "from ann's laptop 🌷",
            "ms-lee": "from the teacher's phone",
            "win": "from the window",
            "irc": "from irssi",
        }
        page.say(ann, lines["ann"])
        page.say(lee, lines["ms-lee"])
        window.type_line(lines["win"])
        irssi.type_line(lines["irc"])
        others = lambda me: [t for n, t in lines.items() if n != me]  # noqa: E731
        page.wait_for(ann, "ann hearing everyone",
                      lambda d: all(t in page.log_text(d) for t in others("ann")))
        page.wait_for(lee, "the teacher hearing everyone",
                      lambda d: all(t in page.log_text(d) for t in others("ms-lee")))
        for t in others("irc"):
            irssi.shows(t)
        window.shows(others("win"), os.path.join(scratch, "window-1.txt"))
        print("every line reached the three others")

        # The teacher, on her phone, mutes one student of each kind.
        page.say(lee, "/oper " + page.TEACHER_PASSWORD)
        page.wait_for(lee, "the teacher role", lambda d: "You are the teacher" in page.log_text(d))
        for nick in ("ann", "win", "irc"):
            page.say(lee, f"/mute {nick}")
            page.wait_for(lee, f"{nick} muted", lambda d, n=nick: f"muted {n}" in page.log_text(d))
        page.say(ann, "may I?")
        page.wait_for(ann, "ann refused", lambda d: "✗ the teacher muted you" in page.log_text(d))
        irssi.type_line("me neither?")
        irssi.shows("muted")
        # The window knows before sending: it says so, greys out Send and
        # keeps the line in the input rather than losing it.
        window.shows(["ms-lee muted win"], os.path.join(scratch, "window-2.txt"))
        window.type_line("and me?")
        time.sleep(0.5)
        run("import", "-window", "root", os.path.join(shots, "class-window-muted.png"))
        window.clear_input()
        text = window.shows(["ms-lee muted irc"], os.path.join(scratch, "window-3.txt"))
        assert "and me?" not in text, text
        page.wait_for(lee, "no muted line reaching the teacher",
                      lambda d: "may I?" not in page.log_text(d)
                      and "me neither?" not in page.log_text(d)
                      and "and me?" not in page.log_text(d))
        for nick in ("ann", "win", "irc"):
            page.say(lee, f"/unmute {nick}")
        page.wait_for(ann, "the unmutes", lambda d: "unmuted irc" in page.log_text(d))
        print("the teacher in a browser muted a browser, a window and an IRC student")
        page.shot(ann, "class-desktop-light")
        page.shot(lee, "class-phone-dark")
        run("import", "-window", "root", os.path.join(shots, "class-screen.png"))
        with open(os.path.join(shots, "class-irssi.txt"), "w", encoding="utf-8") as f:
            f.write(irssi.screen())

        # Up to here the server never went away: the consoles must be clean.
        problems = page.console_problems(ann) + page.console_problems(lee)
        assert not problems, f"console before the restart: {problems}"

        # The server restarts. The laptop's page tries again after 1, 1, 2,
        # 4 … s; once it is waiting out the 4 s, there is time, without
        # racing it, to bring the server back and have someone say
        # something it cannot hear.
        page.stop(server)
        page.wait_for(ann, "the loss", lambda d: "Connection lost" in page.log_text(d))
        page.wait_for(ann, "the page's 4 s back-off",
                      lambda d: "Trying again in 4 s" in page.status_text(d), timeout=WAIT)
        server = start_server(port)
        missed = "said while the laptop was away"
        irc_say_once(port, "late", missed)
        away = page.log_text(ann)
        assert "Reconnected" not in away, "the page came back before the line was said"
        assert missed not in away, "the page heard the line live"
        page.wait_for(ann, "the replayed line", lambda d: missed in page.log_text(d), timeout=WAIT)
        assert page.log_text(ann).index("Reconnected") < page.log_text(ann).index(missed)
        page.shot(ann, "class-after-restart-light")
        print("after the restart the page showed what it missed")

        # Since the restart, Chromium's own 'connection refused' lines for
        # the page's tries while the server was down, and nothing else.
        problems = (page.console_problems(ann, server_was_down=True)
                    + page.console_problems(lee, server_was_down=True))
        assert not problems, f"console after the restart: {problems}"
        print("classroom check passed")
    finally:
        for d in drivers:
            d.quit()
        if window:
            window.stop()
        if irssi:
            irssi.stop()
        page.stop(server)
        shutil.rmtree(scratch, ignore_errors=True)


def give_up(signum, _frame):
    """SIGTERM (a CI timeout) or our own deadline: fail through main's
    finally, which stops everything started."""
    if signum == signal.SIGALRM:
        raise AssertionError(f"the check took over {DEADLINE} s")
    sys.exit(f"FAILED: stopped by signal {signum}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, give_up)
    signal.signal(signal.SIGALRM, give_up)
    signal.alarm(DEADLINE)
    try:
        main()
    except AssertionError as e:
        print("FAILED:", e)
        sys.exit(1)
