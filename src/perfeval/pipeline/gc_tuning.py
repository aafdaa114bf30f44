"""Process-level tuning for a command run (not for library use)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle_gc() -> None:
    """Tune the cyclic garbage collector for a command that loads many files.

    Loading a department allocates thousands of small objects (YAML nodes, models, results),
    almost none in reference cycles. With CPython's default thresholds the collector runs
    every 700 allocations and rescans everything imported at start-up each time it reaches the
    oldest generation, which makes a batch (and one large file) cost more than its size.
    Freezing what start-up allocated and collecting less often keeps the cost linear; cycles,
    if any, are still collected.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic collection while one file is loaded and scored.

    A file's objects are nearly all acyclic and short-lived; collections triggered halfway
    through a large rubric rescan everything it has built so far, so a file twenty times larger
    would cost more than twenty times as long. The collector runs again between files.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
