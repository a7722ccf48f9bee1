"""What the page's Chromium checks share: the server's binary, started and
stopped on 127.0.0.1, and a browser driven as a person uses the page (join,
say, read the log, screenshots, the console).

Used by page_check.py and classroom_check.py; not a check itself.
"""
import os
import socket
import subprocess
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


def binary(name):
    """A debug build from $CARGO_TARGET_DIR (or ./target), or a clear failure."""
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    path = os.path.join(target, "debug", name)
    if not os.path.exists(path):
        raise AssertionError(f"{path} not found: cargo build -p natter-server -p natter-client")
    return path


def can_connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def start_server(port, *options):
    """natter-server on 127.0.0.1:port, once it accepts connections. If it
    does not within 10 s it is stopped, so a failed start leaves nothing
    running."""
    server = subprocess.Popen(
        [binary("natter-server"), "--bind", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not can_connect(port):
        if server.poll() is not None or time.monotonic() > deadline:
            stop(server)
            raise AssertionError(f"natter-server did not start on port {port}")
        time.sleep(0.1)
    return server


def stop(process):
    """SIGTERM, then SIGKILL if it has not gone within 10 s."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: check(d))
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


def status_text(driver):
    """The line under the header ("Connection lost: … Trying again in 4 s…"),
    hidden when there is nothing to say."""
    return driver.find_element(By.ID, "status").get_attribute("textContent")


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


def console_problems(driver, server_was_down=False):
    """Errors and warnings in the browser's console since the last call
    (Chromium hands each entry out once).

    While a server is down, Chromium itself logs each refused reconnection
    attempt (a network error no page can silence): with server_was_down,
    those and only those are expected. Anything else, from the page or the
    browser, is a problem."""
    def expected(e):
        return (server_was_down and e.get("source") == "network"
                and "/ws' failed" in e["message"] and "ERR_CONNECTION_REFUSED" in e["message"])
    return [e for e in driver.get_log("browser")
            if e["level"] in ("SEVERE", "WARNING") and not expected(e)]
