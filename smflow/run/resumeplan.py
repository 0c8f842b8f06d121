"""Matching a run's journal to the flow being resumed, step by step, by identity.

A step's identity is its name (the checker keeps names unique in a flow; a step inside a loop is
journaled under its expanded name and compared by its name as written, its template). Matching by position
instead would, after a step was inserted into the flow, skip the new step (its index was done)
and hand the next step the bindings of another. So a resume compares the two sets of names: a
step the journal never saw is new and runs where it now stands; a step the journal shows done
that the flow no longer has (removed or renamed) is refused unless ``--force``, and then said
(its effect stays, and its undo block can no longer run on rollback).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from smflow.run.journal import JournalState

__all__ = ["ResumeDiff", "compare", "known_steps"]


@dataclass(frozen=True)
class ResumeDiff:
    """How the flow's steps differ from the steps the journal knows."""

    new: tuple[str, ...]  # in the flow, never started by the run: they run
    gone: tuple[str, ...]  # done in the run, no longer in the flow (removed or renamed)
    gone_with_undo: tuple[str, ...]  # those of ``gone`` that registered an undo block

    @property
    def changed(self) -> bool:
        return bool(self.new or self.gone)

    def describe(self) -> str:
        """One clause per difference, for the refusal: ``; step 'x' …; step 'y' …``."""
        parts = [f"step '{name}' is new (it would run)" for name in self.new]
        parts += [f"step '{name}', done in this run, is no longer in the flow (removed or renamed)"
                  for name in self.gone]
        return "".join(f"; {part}" for part in parts)

    def notices(self) -> list[str]:
        """What a forced resume says before it runs anything."""
        lines = [f"resume: step '{name}' is new in the flow: it runs" for name in self.new]
        for name in self.gone:
            undo = " (its undo block can no longer run on rollback)" if name in self.gone_with_undo else ""
            lines.append(f"resume: step '{name}' was done but is no longer in the flow: skipped, its effect "
                         f"stays{undo}")
        return lines


def compare(state: JournalState, steps: Sequence[str]) -> ResumeDiff:
    """Compare the journal of the run being resumed with the names of the flow's steps. A
    format-1 journal does not list the flow's steps, so no step counts as new there (a step the
    run never reached runs anyway)."""
    names = set(steps)
    had = state.header.get("steps")  # the flow's steps when the run started (format 2 on)
    # A step of a loop is journaled under its expanded name, and compared by its template.
    known = {state.templates.get(name, name) for name in known_steps(state)} | set(had if isinstance(had, list) else steps)
    gone = tuple(name for name, record in state.steps_done.items() if state.templates.get(name, name) not in names)
    return ResumeDiff(
        new=tuple(name for name in steps if name not in known),
        gone=gone,
        gone_with_undo=tuple(name for name in gone if state.steps_done[name].get("undos")),
    )


def known_steps(state: JournalState) -> set[str]:
    """The steps the run started (a step it never reached or that is new is in neither set)."""
    return state.steps_started | set(state.steps_done)
