"""Does the demo server's memory stay put under ordinary use? Load pages repeatedly, print RSS.

Starts `huican demo --no-worker` on the demo database of HUICAN_VAR_DIR (create it first with
`huican demo --no-serve`), logs in as the city staff demo account, then requests a round of
ordinary pages (home, search, person pages, findings, standards, what-if, monitoring, imports)
ROUNDS times and prints the server's resident memory after each round (from /proc, Linux only):

    HUICAN_VAR_DIR=var .venv/bin/python tools/measure_memory.py --rounds 20

Figures and what they showed: docs/operations.md, "Memory".
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

USERNAME, PASSWORD = "shi", "Xinzhou#City2025"  # the city staff demo account (huican demo prints it)


def rss_mb(pid: int) -> float:
    """Resident memory of the process and its children (the demo runs the server in one child)."""
    total = 0
    for each in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = Path(task, "children").read_text().split()
        except OSError:  # a request's thread that has just ended
            continue
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=600) as response:
            return str(response.read().decode("utf-8", "replace"))

    def post(self, path: str, data: dict[str, str], *, token_from: str | None = None) -> str:
        page = self.get(token_from or path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        body = urllib.parse.urlencode(
            {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        ).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        with self.opener.open(request, timeout=600) as response:
            return str(response.read().decode("utf-8", "replace"))


def wait_until_up(base: str, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
            return
        except OSError:
            time.sleep(1)
    raise SystemExit("the demo server did not answer")


COUNTIES = ("140902", "140921", "140922", "140923", "140924", "140925", "140926", "140927", "140928")


def one_round(browser: Browser, persons: list[str], number: int, report: Callable[[str], None]) -> None:
    """Ordinary use: each round other persons, another what-if value and another county's dashboard."""
    browser.get("/")
    browser.post("/search/", {"q": "张测"}, token_from="/search/")
    report("home, search")
    for person in persons[number * 5 : number * 5 + 5] or persons[:5]:
        browser.get(person)
    report("5 person pages")
    browser.get("/findings/")
    report("findings")
    browser.get("/policy/")
    browser.get(f"/policy/what-if/?field=living_subsidy&value={80 + number}&on=2025-06-30")
    report("standards, what-if")
    browser.get("/monitoring/")
    browser.get(f"/monitoring/{COUNTIES[number % len(COUNTIES)]}/")
    report("monitoring, a county's dashboard")
    browser.get("/imports/")
    browser.get("/imports/history/")
    report("imports")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--per-page", action="store_true", help="RSS after each group of pages too")
    args = parser.parse_args()
    if "HUICAN_VAR_DIR" not in os.environ:
        raise SystemExit("set HUICAN_VAR_DIR to the demo's var directory")
    port = free_port()
    huican = Path(sys.executable).with_name("huican")
    server = subprocess.Popen(
        [str(huican), "demo", "--no-worker", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        browser = Browser(base)
        browser.post("/accounts/login/", {"username": USERNAME, "password": PASSWORD})
        found = browser.post("/search/", {"q": "张"}, token_from="/search/")
        persons = list(dict.fromkeys(re.findall(r'href="(/persons/\d+/)"', found)))
        print(f"after start and login: {rss_mb(server.pid):.0f} MB", flush=True)

        def report(pages: str) -> None:
            if args.per_page:
                print(f"  after {pages}: {rss_mb(server.pid):.0f} MB", flush=True)

        for number in range(args.rounds):
            started = time.monotonic()
            one_round(browser, persons, number, report)
            print(
                f"round {number + 1:2d}: {rss_mb(server.pid):.0f} MB ({time.monotonic() - started:.1f} s)",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
