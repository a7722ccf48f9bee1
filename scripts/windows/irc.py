"""A small IRC user over a socket, for the Windows checks (loopback only,
every read bounded by a timeout)."""

import socket
import time


class Irc:
    def __init__(self, host, port, nick, timeout=20):
        self.nick = nick
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.send(f"NICK {nick}")
        self.send(f"USER {nick} 0 * :{nick}")
        self.until(" 001 ")

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.nick}: no line in time")
            self.sock.settimeout(left)
            data = self.sock.recv(4096)
            if not data:
                raise EOFError(f"{self.nick}: the server closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode()
        if text.startswith("PING "):
            self.send("PONG " + text[5:])
        return text

    def until(self, needle):
        """The first line holding `needle` (lines before it are skipped)."""
        deadline = time.monotonic() + self.timeout
        seen = []
        while True:
            try:
                text = self.line(deadline)
            except (TimeoutError, EOFError) as e:
                raise AssertionError(f"{e}; waited for {needle!r}, saw {seen[-5:]}") from e
            seen.append(text)
            if needle in text:
                return text

    def join(self, room="#lobby"):
        self.send(f"JOIN {room}")
        self.until(" 366 ")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
