"""Running the same work in real threads at once (PostgreSQL row-lock tests)."""

import threading

from django.db import connections


def run_at_once(n, work):
    """Start `work` in n threads released together; return each outcome (a result or the
    exception it raised). Each thread closes its database connection."""
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait()
            result = work()
        except Exception as exc:  # noqa: BLE001 - each outcome is asserted on
            result = exc
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
