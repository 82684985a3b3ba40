"""A real Celery worker for the reliability tests: `celery -A tests.reliability.worker_app
worker` (prefork) on the test database and the test run's Redis, consuming a queue of its own
(the test process sends there too), so it only ever sees this test's tasks.

The tests commit their data (`django_db(transaction=True)`) for the worker to read it."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")


# The marks of a test with a real worker (as `pytestmark`, or through `real_worker`).
REAL_WORKER = [
    pytest.mark.slow,
    pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.skipif(not REDIS_URL.startswith("redis"), reason="needs Redis (REDIS_URL)"),
    # serialized_rollback restores the reference data (regions, catalogue) the flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def real_worker(test):
    for mark in REAL_WORKER:
        test = mark(test)
    return test


def wait_for(check, timeout=60.0, every=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    raise TimeoutError(f"{what} not met within {timeout} s")


def parent_of(pid: int) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after ")".
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


class Worker:
    def __init__(self, directory: Path, queue: str, settings):
        self.queue = queue
        self.dir = directory
        self.log_path = directory / "worker.log"
        self.trace_path = directory / "trace.log"
        self.trace_path.touch()
        base = DATABASE_URL.rsplit("/", 1)[0]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"{base}/{connection.settings_dict['NAME']}",
            "REDIS_URL": REDIS_URL,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "DJANGO_VAR_DIR": str(directory / "var"),
            # The compact CJK faces this test run already built: a fresh worker needs no rebuild.
            "CIRCULAR_FONT_CACHE_DIR": str(settings.CIRCULAR_FONT_CACHE_DIR),
            "RELIABILITY_TRACE_DIR": str(directory),
        }
        self.process = None
        self._log = None

    @property
    def media_root(self) -> Path:
        return self.dir / "var" / "media"

    def start(self, *, concurrency=1, pause_at="", pause_seconds=0.0, **env):
        celery = str(Path(sys.executable).parent / "celery")
        argv = [
            celery,
            "-A",
            "tests.reliability.worker_app",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "-n",
            f"{self.queue}@%h",
            "-Q",
            self.queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.env.update(RELIABILITY_PAUSE_AT=pause_at, RELIABILITY_PAUSE_SECONDS=str(pause_seconds), **env)
        self._log = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        wait_for(lambda: " ready." in self.log() or self.process.poll() is not None, 60, what="worker start")
        assert self.process.poll() is None, self.log()
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: the children go with it
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def steps(self, prefix: str) -> list[int]:
        """The pids of the processes that reached the steps starting with `prefix`, in order."""
        lines = self.trace_path.read_text().splitlines()
        return [int(line.rsplit(" ", 2)[1]) for line in lines if line.startswith(prefix)]

    def kill_pool_process_at(self, prefix: str, timeout=60.0) -> int:
        """SIGKILL the pool process once it has reached the step; returns its pid."""
        pid = wait_for(lambda: (self.steps(prefix) or [None])[0], timeout, what=f"step {prefix!r}")
        assert parent_of(pid) == self.process.pid, "the step ran outside this worker's pool"
        os.kill(pid, signal.SIGKILL)
        return pid

    def succeeded(self, task_name: str) -> int:
        """How many runs of the task the worker's log reports done."""
        return len(re.findall(rf"Task {re.escape(task_name)}\[[^\]]+\] succeeded", self.log()))


@pytest.fixture
def worker(transactional_db, settings):
    """`worker.start(concurrency=1, pause_at="render")`: a worker on this test's own queue; the
    test process's tasks are sent to that queue while it runs. Stopped (and the queue's
    leftovers deleted) at the end of the test, before the database is flushed. Its files live
    in a directory of its own, not under pytest's basetemp, which a concurrent pytest run may
    prune while the worker still writes there."""
    from config.celery import app

    queue = f"reliability-{uuid.uuid4().hex[:12]}"
    directory = Path(tempfile.mkdtemp(prefix=f"yrd-{queue}-"))
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    settings.MEDIA_ROOT = directory / "var" / "media"
    w = Worker(directory, queue, settings)
    try:
        yield w
    finally:
        w.stop()
        app.conf.task_default_queue = previous
        purge(queue)
        print(w.log(), w.trace_path.read_text() if w.trace_path.exists() else "")  # shown on failure
        shutil.rmtree(directory, ignore_errors=True)


def purge(queue: str) -> int:
    from config.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.queue_purge(queue) or 0


def queued(queue: str) -> int:
    """How many messages wait in the queue (none are taken by a worker)."""
    from config.celery import app

    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


@pytest.fixture
def issue(demo):
    """`issue()`: a circular of the Office's to the four liaison offices, through the services
    (signed off by the Office's signer if its drafter may not), queued for rendering on commit."""
    from coordination.models import Membership
    from notices.circulars.samples import HEALTH_CODE_ADDRESSEES, HEALTH_CODE_BODY, HEALTH_CODE_TITLE
    from notices.circulars.services import circular_issue, circular_sign_off

    def make(by="yrd-office", to=("sh-liaison", "js-liaison", "zj-liaison", "ah-liaison")):
        circular = circular_issue(
            by=demo.user(by),
            addressees=[demo.org(code) for code in to],
            title=HEALTH_CODE_TITLE,
            addressee_line=HEALTH_CODE_ADDRESSEES,
            body=HEALTH_CODE_BODY.split("\n")[0],
        )
        if circular.status == circular.Status.AWAITING_SIGN_OFF:
            signer = (
                Membership.objects.filter(organisation=circular.issuer, role__in=["signer", "leader"])
                .order_by("role")
                .values_list("user__username", flat=True)
                .first()
            )
            circular = circular_sign_off(by=demo.user(signer), circular_id=circular.pk)
        return circular

    return make
