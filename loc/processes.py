"""Worker processes: how many loc starts, how (forked where the system forks, so that
workers inherit what the parent built instead of receiving it pickled), and how their
answers are awaited (a worker that dies or hangs has its work done by the parent)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from loc.errors import LocWarning

MAX_PROCESSES = 4
"""At most this many processes share out one piece of work (the parent included)."""
PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when its parent ends (Linux)."""
STALL_S = 60.0
"""A worker that sends nothing and shows no progress for this long (seconds), and for four
times as long as the parent took for its own share, is taken to hang: it is stopped and the
parent does its work (the result is the same, only later)."""


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
    if multiprocessing.current_process().daemon:
        # a daemonic process (a multiprocessing.Pool's worker, say) may not have children:
        # the callers then do the work in this process
        raise NotImplementedError("a daemonic process cannot start worker processes")
    methods = multiprocessing.get_all_start_methods()
    frozen = gc.get_freeze_count() > 0  # the program froze objects itself: leave them be
    if not frozen:
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
        if not frozen:
            gc.unfreeze()


def workers(ctx: Any, target: Callable[..., None], jobs: list[tuple]) -> list[tuple[Any, Any]]:
    """Start one worker process per job (:func:`worker`), or none: when one cannot be
    started, those started already are stopped and the error is raised.

    Parameters
    ----------
    ctx : multiprocessing.context.BaseContext
        From :func:`starting`.
    target : callable
        The work; its last argument is the sending end of a pipe.
    jobs : list of tuple
        Each worker's other arguments.

    Returns
    -------
    list of (multiprocessing.Process, multiprocessing.connection.Connection)
        The processes and the receiving ends of their pipes.
    """
    started: list[tuple[Any, Any]] = []
    try:
        for args in jobs:
            started.append(worker(ctx, target, *args))
    except BaseException:
        for proc, conn in started:
            stop(proc, conn)
        raise
    return started


def worker(ctx: Any, target: Callable[..., None], *args: Any) -> tuple[Any, Any]:
    """Start one worker process (a daemon) that runs ``target(*args, conn)`` and sends its
    results through ``conn``. Its temporary files go to a folder of its own, which
    :func:`stop` removes: a worker killed halfway (its work no longer wanted) leaves none.

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
    forked = ctx.get_start_method() == "fork"
    tmp = tempfile.mkdtemp(prefix="loc-worker-")
    proc = ctx.Process(target=_child, args=(target, mine if forked else None, os.getpid(),
                                            tmp, *args, theirs), daemon=True)
    try:
        proc.start()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        mine.close()
        theirs.close()
        raise
    proc.loc_tmp = tmp
    theirs.close()
    return proc, mine


def stop(proc: Any, conn: Any) -> None:
    """Stop a worker (killed if it still runs), close its pipe and remove its temporary
    folder (what it was writing when it was killed included).

    Parameters
    ----------
    proc, conn : multiprocessing.Process, Connection
        From :func:`worker`.
    """
    proc.kill()
    proc.join()
    conn.close()
    tmp = getattr(proc, "loc_tmp", None)
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)


def _child(target: Callable[..., None], parents_end: Any, parent: int, tmp: str,
           *args: Any) -> None:
    """A worker's start: it closes its copy of the parent's end of the pipe (so that a
    send to a parent that is gone fails instead of waiting forever), keeps its temporary
    files in ``tmp`` and, on Linux, asks to be killed with its parent (a parent killed by
    SIGKILL runs no clean-up)."""
    if parents_end is not None:
        parents_end.close()
    tempfile.tempdir = tmp
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before this could be asked
        os._exit(1)
    target(*args)


@contextlib.contextmanager
def recording() -> Iterator[list]:
    """Record every warning a worker meets (under the "always" filter: the parent's
    filters decide, in :func:`replay`, which are shown), for :func:`caught`.

    Yields
    ------
    list of warnings.WarningMessage
        The warnings met so far.
    """
    with warnings.catch_warnings(record=True) as found:
        warnings.simplefilter("always")
        yield found


def caught(found: list) -> list[tuple]:
    """Warnings a worker recorded (:func:`recording`), in a form to send to the parent for
    :func:`replay`.

    Parameters
    ----------
    found : list of warnings.WarningMessage
        The warnings.

    Returns
    -------
    list of tuple
        ``(message, category, filename, lineno)`` of each.
    """
    return [(str(w.message), w.category, w.filename, w.lineno) for w in found]


def replay(found: list[tuple]) -> None:
    """Give warnings a worker recorded (:func:`caught`) here, as if this process had met
    them: from the same file and line, under this process's filters and the registry of
    the module that gave them (a warning the default filter shows once is shown once).

    Parameters
    ----------
    found : list of tuple
        From :func:`caught`.
    """
    by_file = {os.path.abspath(f): m for m in list(sys.modules.values())
               if isinstance(f := getattr(m, "__file__", None), str)}
    for message, category, filename, lineno in found:
        module = by_file.get(os.path.abspath(filename))
        names = vars(module) if module is not None else None
        warnings.warn_explicit(
            message, category, filename, lineno,
            module=names["__name__"] if names is not None else None,
            registry=names.setdefault("__warningregistry__", {}) if names is not None else None,
            module_globals=names)


def receive(proc: Any, conn: Any, own_s: float,
            beat: Callable[[], int] | None = None,
            waiting: Callable[[], None] | None = None) -> Any | None:
    """The next message of a worker, or None when the worker died or hangs (its work is
    then the caller's to do).

    Parameters
    ----------
    proc, conn : multiprocessing.Process, Connection
        From :func:`worker`.
    own_s : float
        Seconds the caller took for its own share: a worker may take four times as long
        (at least :data:`STALL_S`) without a message or a beat before it is taken to hang.
    beat : callable, optional
        A progress count the worker raises (a shared counter); a change restarts the wait.
    waiting : callable, optional
        Called about every 0.2 s while waiting (to redraw a progress bar, say).

    Returns
    -------
    object or None
        The message; None if the worker ended without sending one, hung, or stopped
        halfway through sending it (then it is killed, with a
        :class:`~loc.errors.LocWarning`).
    """
    patience = max(STALL_S, 4.0 * own_s)
    seen = beat() if beat is not None else None
    since = time.monotonic()
    while not conn.poll(0.2):
        if not proc.is_alive():
            if conn.poll(0):  # it sent, then ended
                break
            return None
        if waiting is not None:
            waiting()
        now = time.monotonic()
        count = beat() if beat is not None else None
        if count != seen:
            seen, since = count, now
        elif now - since > patience:
            proc.kill()
            proc.join()
            warnings.warn(f"a worker process sent nothing for {now - since:.0f} s: its work "
                          "is done here instead", LocWarning, stacklevel=2)
            return None
    return _rest(proc, conn, patience)


def _rest(proc: Any, conn: Any, patience: float) -> Any | None:
    """The message a worker has begun to send, read within ``patience`` seconds (in a
    thread: a read cannot be given a deadline); None when the worker died while sending,
    or stopped halfway (frozen, say) for that long: it is then killed (which ends the
    read), with a :class:`~loc.errors.LocWarning`. A message that cannot be unpickled
    raises its error here."""
    got: list = []

    def read() -> None:
        try:
            got.append((True, conn.recv()))
        except (EOFError, OSError):  # it died while sending
            got.append((True, None))
        except BaseException as exc:  # noqa: BLE001 - raised in the caller below
            got.append((False, exc))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(patience)
    if reader.is_alive():
        proc.kill()
        proc.join()
        reader.join(STALL_S)  # the pipe's only writer is gone: the read ends
        warnings.warn(f"a worker process stopped halfway through a message for "
                      f"{patience:.0f} s: its work is done here instead", LocWarning,
                      stacklevel=3)
        return None
    ok, value = got[0]
    if not ok:
        raise value
    return value
