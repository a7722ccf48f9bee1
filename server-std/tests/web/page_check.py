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
import re
import socket
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SHOTS = os.environ.get("NATTER_SHOTS", "/tmp/natter-web")
TEACHER_PASSWORD = "chalk"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    if os.environ.get("NATTER_URL"):
        return None, os.environ["NATTER_URL"]
    port = free_port()
    return restart_server(port), f"http://127.0.0.1:{port}/"


def restart_server(port):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    binary = os.path.join(target, "debug", "natter-server")
    server = subprocess.Popen(
        [binary, "--bind", f"127.0.0.1:{port}", "--teacher-password", TEACHER_PASSWORD,
         "--room", "lobby", "--room", "maths"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def browser(width, height, dark=False):
    options = webdriver.ChromeOptions()
    options.add_argument("--headless=new")
    options.add_argument("--no-sandbox")
    options.add_argument(f"--window-size={width},{height}")
    if dark:
        options.add_argument("--force-dark-mode")
        options.add_argument("--blink-settings=preferredColorScheme=0")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    driver.set_window_size(width, height)
    return driver


def wait_for(driver, what, check, timeout=10):
    try:
        return WebDriverWait(driver, timeout).until(lambda d: check(d))
    except Exception:
        shot(driver, "failure")
        raise AssertionError(f"timed out waiting for {what}")


def shot(driver, name):
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{name}.png")
    driver.save_screenshot(path)
    print("screenshot", path)


def log_text(driver):
    return driver.find_element(By.ID, "log").text


def join(driver, url, nick, room=""):
    driver.get(url)
    driver.find_element(By.CSS_SELECTOR, "input[id=nick]").send_keys(nick)
    if room:
        driver.find_element(By.ID, "room").send_keys(room)
    driver.find_element(By.XPATH, "//button[normalize-space()='Join']").click()
    wait_for(driver, f"{nick} in the chat", lambda d: "You are in #" in log_text(d))


def say(driver, text):
    box = driver.find_element(By.CSS_SELECTOR, "input[aria-label=Message]")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def console_problems(driver):
    """Errors and warnings in the browser's console. While a server is
    down, Chromium itself logs each refused reconnection attempt (a network
    error no page can silence): those are expected; anything else, from the
    page or the browser, is a problem."""
    def expected(e):
        return (e.get("source") == "network" and "/ws' failed" in e["message"]
                and "ERR_CONNECTION_REFUSED" in e["message"])
    return [e for e in driver.get_log("browser")
            if e["level"] in ("SEVERE", "WARNING") and not expected(e)]


def main():
    server, url = start_server()
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
            server.terminate()
            server.wait()
            wait_for(ann, "the loss", lambda d: "Connection lost" in log_text(d))
            server = restart_server(port)
            wait_for(ann, "the reconnection", lambda d: "Reconnected" in log_text(d), timeout=20)
            say(ann, "back again")
            wait_for(ann, "a tick after reconnecting", lambda d: log_text(d).count("✓") >= 2)
            shot(ann, "ann-reconnected-wide-dark")

        problems = console_problems(ann) + console_problems(lee)
        assert not problems, f"console: {problems}"
        print("page check passed")
    finally:
        for d in drivers:
            d.quit()
        if server:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAILED:", e)
        sys.exit(1)
