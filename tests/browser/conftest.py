"""The platform served for real (Daphne: HTTP and WebSocket) on a free localhost port, on an
embedded SQLite database of the test's own, and Debian's Chromium driven by Playwright.

Chromium comes from apt (`make test` installs the `chromium` package); a browser download
(`playwright install`) is never used. Without /usr/bin/chromium these tests are skipped.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "demo-pass-2026"  # the demo accounts' password (README)

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Platform:
    """One Daphne process on an embedded database under a temporary var/ directory."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        drop = ("DJANGO_", "PYTEST", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(drop)},
            "DJANGO_VAR_DIR": str(var_dir),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "NOTICES_POLL_SECONDS": "1",
            "BRIEFING_MAX_LAG_SECONDS": "0",  # no worker here: the dashboard computes what is stale
        }
        self.process = None
        self.log = None

    def manage(self, *args) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True
        )
        return done.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self):
        self.manage("migrate", "-v0")
        self.manage("seed_demo")
        self.log = open(self.var_dir / "daphne.log", "a")  # noqa: SIM115 - closed in stop()
        daphne = str(Path(sys.executable).parent / "daphne")
        self.process = subprocess.Popen(
            [daphne, "-b", "127.0.0.1", "-p", str(self.port), "config.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=2):  # noqa: S310 - loopback
                    return
            except OSError:
                time.sleep(0.25)
        raise TimeoutError(self.tail())

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self.log:
            self.log.close()

    def tail(self) -> str:
        return (self.var_dir / "daphne.log").read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    p = Platform(tmp_path_factory.mktemp("platform-var"))
    try:
        p.start()
        yield p
    finally:
        p.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sign_in(platform, browser):
    """`sign_in("js-liaison", lang="zh-hans")`: a new browser context with that user signed in."""
    contexts = []

    def make(username, *, lang="zh-hans", width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.add_cookies([{"name": "django_language", "value": lang, "url": platform.url}])
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.goto(f"{platform.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"{platform.url}/")
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str, *, full_page=True):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
