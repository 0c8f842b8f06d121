"""Cycle collection held back while an ``smflow`` process starts, then resumed for the work.

Why: starting a command allocates some 60,000 objects that live as long as the process
(modules, classes, functions, the grammar's tables, the checked plan), and CPython's collector
traverses them again and again as they age through its generations: 80-90 collections, about
25 ms of a 450 ms live run and 13 ms of a 220 ms ``check``, which free nothing.

How: the process entry point (``smflow.cli.main.entry``, never the library, never an in-process
``main()``) calls ``pause()``, which raises the youngest generation's threshold so that start-up
triggers no collection, but not to infinity: a path that never calls ``resume()`` still
collects, only less often, so memory stays bounded. ``resume()`` (a run when its first step
starts, a server when it starts serving) moves everything alive into the permanent generation
(``gc.freeze``: the program itself, not garbage) and restores the thresholds it found, so the
work itself is collected as usual. Both do nothing unless a pause is in effect.
"""

from __future__ import annotations

import gc

__all__ = ["pause", "resume"]

# Net container allocations between two collections while paused (CPython's default is 700).
_PAUSED_THRESHOLD = 200_000

_saved: list[tuple[int, int, int]] = []  # the thresholds found by pause(), until resume()


def pause() -> None:
    """Hold collection back (once per process) until ``resume()``."""
    if _saved:
        return
    thresholds = gc.get_threshold()
    _saved.append(thresholds)
    gc.set_threshold(_PAUSED_THRESHOLD, *thresholds[1:])


def resume() -> None:
    """End the pause, if there is one: what start-up built is kept out of every later collection."""
    if not _saved:
        return
    gc.freeze()
    gc.set_threshold(*_saved.pop())
