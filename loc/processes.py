"""Worker processes: how many loc starts, and how (forked where the system forks, so that
workers inherit what the parent built instead of receiving it pickled)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

MAX_PROCESSES = 4
"""At most this many processes share out one piece of work (the parent included)."""


def cores() -> int:
    """How many processes may share out one piece of work: the CPUs this process may run
    on, at most :data:`MAX_PROCESSES`.

    Returns
    -------
    int
        1 or more.
    """
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on this system: all CPUs
        usable = os.cpu_count() or 1
    return max(1, min(usable, MAX_PROCESSES))


@contextlib.contextmanager
def starting() -> Iterator[Any]:
    """The context to start worker processes in: forked where the system forks (spawned
    elsewhere), with the garbage collector frozen meanwhile so that a forked worker's
    collector leaves the parent's pages alone.

    Yields
    ------
    multiprocessing.context.BaseContext
        The context (fork or spawn).
    """
    methods = multiprocessing.get_all_start_methods()
    gc.freeze()
    try:
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        with warnings.catch_warnings():
            # Python 3.12+ warns that fork() in a process with threads (numpy's BLAS pool)
            # may deadlock; loc's workers take no lock another thread could hold
            warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead",
                                    category=DeprecationWarning)
            yield ctx
    finally:
        gc.unfreeze()


def worker(ctx: Any, target: Callable[..., None], *args: Any) -> tuple[Any, Any]:
    """Start one worker process (a daemon) that runs ``target(*args, conn)`` and sends its
    results through ``conn``.

    Parameters
    ----------
    ctx : multiprocessing.context.BaseContext
        From :func:`starting`.
    target : callable
        The work; its last argument is the sending end of a pipe.
    *args
        Its other arguments.

    Returns
    -------
    (multiprocessing.Process, multiprocessing.connection.Connection)
        The process and the receiving end of its pipe.
    """
    mine, theirs = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, theirs), daemon=True)
    proc.start()
    theirs.close()
    return proc, mine
