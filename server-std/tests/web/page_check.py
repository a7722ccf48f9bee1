#!/usr/bin/env python3
"""The page as students and a teacher use it, in headless Chromium.

Starts target/debug/natter-server on a free 127.0.0.1 port (or uses
NATTER_URL), opens two browsers (a student at 1280x800, the teacher at
360x740 in the dark theme), joins, talks both ways, checks ticks, the
member list, a teacher's mute, the title's unread count and the console,
and saves screenshots to $NATTER_SHOTS (default /tmp/natter-web).

    cargo build -p natter-server && python3 server-std/tests/web/page_check.py

Needs chromium, chromium-driver and python3-selenium (Debian packages).
Exits non-zero, saying what failed.
"""
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from natter_web import (TEACHER_PASSWORD, browser, free_port, join, log_text, say, shot,
                        start_server, stop, wait_for, console_problems)


def serve(port):
    return start_server(port, "--teacher-password", TEACHER_PASSWORD,
                        "--room", "lobby", "--room", "maths")


def main():
    server, url = None, os.environ.get("NATTER_URL")
    if not url:
        port = free_port()
        server, url = serve(port), f"http://127.0.0.1:{port}/"
    drivers = []
    try:
        ann = browser(1280, 800)
        drivers.append(ann)
        join(ann, url, "ann")
        shot(ann, "ann-joined-wide-light")

        lee = browser(360, 740, dark=True)
        drivers.append(lee)
        join(lee, url, "ms-lee")
        wait_for(ann, "ms-lee's join", lambda d: "ms-lee joined" in log_text(d))

        say(ann, "hello from ann 👋")
        wait_for(ann, "the tick on ann's line", lambda d: "✓" in log_text(d))
        wait_for(lee, "ann's message", lambda d: "hello from ann 👋" in log_text(d))

        say(lee, "/oper " + TEACHER_PASSWORD)
        wait_for(lee, "the teacher role", lambda d: "You are the teacher" in log_text(d))
        say(lee, "hi ann, welcome")
        wait_for(ann, "the teacher's message", lambda d: "hi ann, welcome" in log_text(d))
        wait_for(ann, "the teacher mark", lambda d: "🎓" in d.find_element(By.ID, "member-list").text)

        # ann looks away: the title counts what she missed.
        ann.execute_script("document.dispatchEvent(new Event('visibilitychange'))")
        say(lee, "/mute ann")
        wait_for(ann, "the mute", lambda d: "muted ann" in log_text(d))
        wait_for(ann, "the mute mark", lambda d: "🔇" in d.find_element(By.ID, "member-list").text)
        say(ann, "can I still talk?")
        wait_for(ann, "the refusal", lambda d: "✗" in log_text(d))
        say(lee, "/unmute ann")
        say(lee, "/help")
        wait_for(lee, "the help", lambda d: "Commands: /me" in log_text(d))
        shot(ann, "ann-muted-wide-light")
        shot(lee, "lee-narrow-dark")

        lee.find_element(By.ID, "members-button").click()
        time.sleep(0.3)
        shot(lee, "lee-members-narrow-dark")
        lee.find_element(By.XPATH, "//ul[@id='member-list']//button[contains(., 'ann')]").click()
        time.sleep(0.3)
        shot(lee, "lee-member-menu-narrow-dark")
        items = [b.text for b in lee.find_elements(By.CSS_SELECTOR, "#member-menu button")]
        assert "Give the word" in items and "Mute" in items, items
        lee.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

        ann.find_element(By.ID, "emoji-button").click()
        time.sleep(0.3)
        shot(ann, "ann-emoji-wide-light")
        ann.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        ann.find_element(By.ID, "theme-button").click()
        time.sleep(0.2)
        shot(ann, "ann-wide-dark")

        if server:
            # The server goes away and comes back on the same port: the page
            # says so, tries again (1, 2, 4 … s) and rejoins its rooms.
            port = int(url.rsplit(":", 1)[1].strip("/"))
            stop(server)
            wait_for(ann, "the loss", lambda d: "Connection lost" in log_text(d))
            server = serve(port)
            wait_for(ann, "the reconnection", lambda d: "Reconnected" in log_text(d), timeout=20)
            say(ann, "back again")
            wait_for(ann, "a tick after reconnecting", lambda d: log_text(d).count("✓") >= 2)
            shot(ann, "ann-reconnected-wide-dark")

        problems = (console_problems(ann, server_was_down=server is not None)
                    + console_problems(lee, server_was_down=server is not None))
        assert not problems, f"console: {problems}"
        print("page check passed")
    finally:
        for d in drivers:
            d.quit()
        if server:
            stop(server)


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAILED:", e)
        sys.exit(1)
