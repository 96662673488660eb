"""Analysis of large batches in worker processes, for bulk indexing and rebuilds.

Cutting, folding and pairing the words of every page is pure Python (~1 ms a record) and holds the
GIL, so a bulk load runs on one core while the engine waits. A large batch is therefore analysed
in a small process pool, a window of records at a time (memory stays bounded), while the caller
writes the previous window. Small batches (the pipeline's one record, the tests' corpus) and
daemon processes (Celery's prefork workers may not have children) stay in-process.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

from search.base import IndexedDocument

T = TypeVar("T")

WINDOW = 2000
"""Records handed to the pool at a time; also the smallest batch worth starting processes for."""


def _workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def prepared(documents: Iterable[IndexedDocument], prepare: Callable[[IndexedDocument], T]) -> Iterator[T]:
    """``prepare(d)`` for every document, in order; ``prepare`` must be a module-level function."""
    it = iter(documents)
    first = list(itertools.islice(it, WINDOW))
    if len(first) < WINDOW or _workers() < 2 or multiprocessing.current_process().daemon:
        yield from map(prepare, first)
        yield from map(prepare, it)
        return
    with ProcessPoolExecutor(_workers(), mp_context=multiprocessing.get_context("spawn")) as pool:
        window = first
        pending = pool.map(prepare, window, chunksize=100)
        while window:
            window = list(itertools.islice(it, WINDOW))
            following = pool.map(prepare, window, chunksize=100) if window else iter(())
            yield from pending
            pending = following
