"""Garbage collection of a long-running web process: no pause of every socket for a full pass.

With a thousand sockets open a web process holds a few million objects, and CPython's full
(generation 2) collection — triggered every few seconds under load — walks all of them while
every thread waits: 120–200 ms in which no notice is delivered (bench/notices_fanout.py saw
rounds of 1,000 deliveries stall by exactly that much). So, once the application is loaded:

- everything loaded so far (Django, the apps, the URL conf) is frozen: it lives as long as
  the process and is never scanned again;
- the young generations are collected as usual (cheap: they hold only recent objects), but the
  full collection is left to a thread that runs it every FULL_COLLECTION_SECONDS (5 minutes by
  default) — one pause then instead of one every few seconds. Garbage freed by reference
  counting (nearly all of it) is freed at once as always; only cyclic garbage that reached the
  oldest generation waits for that pass.

ASGI_GC_TUNING=0 leaves CPython's defaults.
"""

import gc
import logging
import os
import threading
import time

log = logging.getLogger(__name__)
NEVER = 1_000_000_000  # a generation-2 threshold the process never reaches


def full_collections(every: float) -> None:
    while True:
        time.sleep(every)
        started = time.perf_counter()
        collected = gc.collect()
        log.debug("full collection: %d objects in %.0f ms", collected, (time.perf_counter() - started) * 1000)


def tune_for_serving() -> threading.Thread | None:
    if os.environ.get("ASGI_GC_TUNING", "1") == "0":
        return None
    every = float(os.environ.get("ASGI_FULL_GC_SECONDS", "300"))
    gc.collect()
    gc.freeze()
    young, middle, _oldest = gc.get_threshold()
    gc.set_threshold(young, middle, NEVER)
    thread = threading.Thread(target=full_collections, args=(every,), name="full-gc", daemon=True)
    thread.start()
    return thread
