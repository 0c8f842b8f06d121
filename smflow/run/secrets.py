"""Masking of secret values before anything reaches a screen, a journal or an event.

A run knows its secrets up front: the values of ``secret`` params and ``env_secret()`` calls,
the subscription id, and the values passed to catalogue arguments marked ``secret``. The
``Masker`` collects them as they appear and replaces them with ``***`` in every string, dict,
list or dataclass it is handed: as substrings, and in every form a secret can take on the way
(``smflow.secretforms``: lower/upper case, URL, XML and JSON escapes, base64 even at any offset
inside a longer blob such as a label or a configuration).

A secret shorter than ``MIN_SUBSTRING`` characters cannot be masked as a substring without
masking half of every message, nor left unmasked inside one, so it is refused (``UsageError``),
the rule ``--record`` already applied to cassettes.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
import typing
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import Any

from smflow.asm.catalogue import OperationSpec
from smflow.asm.records import SECRET_FIELDS
from smflow.errors import UsageError
from smflow.secretforms import MIN_LENGTH, check_length, secret_forms

__all__ = ["MASK", "MIN_SUBSTRING", "LiveSecrets", "Masker", "masker_for"]

MASK = "***"
MIN_SUBSTRING = MIN_LENGTH


class Masker:
    """Knows every secret value of a run and hides them in whatever is about to be shown."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()  # serialises writers; readers take the current state
        # (secret values, every form of them, the forms that contain no other form of the same
        # secret, one pattern matching any form longest first), replaced as a whole on every add:
        # text() runs for every string of every event, journal line and result, and reads it
        # lock-free. Most strings hold no secret: the short list of minimal forms (any form
        # present means one of them is) answers that with plain substring tests, several times
        # faster than the pattern.
        self._state: tuple[frozenset[str], frozenset[str], tuple[str, ...], re.Pattern[str] | None] = (
            frozenset(), frozenset(), (), None)
        for value in secrets:
            self.add(value)

    def add(self, value: object, what: str = "a secret value") -> None:
        """Register one more secret (strings only; empty values mask nothing). ``UsageError``
        when it is too short to be masked (``what`` names it in the message, never its value)."""
        if not isinstance(value, str) or not value:
            return
        with self._lock:
            whole, forms, minimal, _ = self._state
            if value in whole:
                return
            problem = check_length(value, what)
            if problem is not None:
                raise UsageError(problem)
            own = secret_forms(value)
            minimal = (*minimal, *(f for f in own if not any(g != f and g in f for g in own)))
            forms = forms | set(own)
            # Longest first: a regex alternation takes the first alternative that matches, so
            # a secret containing another (or a form containing a shorter one) goes whole.
            ordered = sorted(forms, key=lambda f: (-len(f), f))
            pattern = re.compile("|".join(re.escape(f) for f in ordered))
            self._state = (whole | {value}, forms, minimal, pattern)

    @property
    def secrets(self) -> frozenset[str]:
        return self._state[0]

    def text(self, text: str) -> str:
        """``text`` with every form of every secret replaced by ``***``."""
        _, forms, minimal, pattern = self._state
        if pattern is None:
            return text
        if text in forms:
            return MASK
        for form in minimal:
            if form in text:
                return pattern.sub(MASK, text)
        return text

    def strings(self, value: Any) -> Any:
        """A copy of a JSON-like value with every string (keys too) masked, and nothing else
        changed: for records already shaped for a file (journal lines), where a field's *name*
        must not decide anything (a public param may be called ``password``)."""
        cls: type = type(value)
        if cls is str:
            return self.text(value)
        if cls in _PLAIN:
            return value
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.strings(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.strings(v) for v in value]
        return self.value(value)

    def value(self, value: Any) -> Any:
        """A masked copy of a JSON-like value (dataclasses become dicts)."""
        cls: type = type(value)
        if cls is str:
            return self.text(value)
        if cls in _PLAIN:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.text(value.decode("utf-8", "replace"))
        fields = _fields(cls)
        if fields is not None:
            out: dict[str, Any] = {}
            for name, secret in fields:
                item = getattr(value, name)
                kind = type(item)
                # Plain leaves inline: a result model is mostly strings and None.
                out[name] = (MASK if secret else self.text(item) if kind is str
                             else item if kind in _PLAIN else self.value(item))
            return out
        if isinstance(value, Mapping):
            return {str(k): MASK if k in SECRET_FIELDS and v else self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self.value(v) for v in value]
        return value

    def learn_arguments(self, spec: OperationSpec | None, args: Mapping[str, Any]) -> None:
        """Register the values of arguments the catalogue marks ``secret`` and of secret record
        fields (``admin_password`` inside a ``system_config``...)."""
        secret_names = {a.name for a in spec.arguments if a.secret} if spec else set()
        for name, value in args.items():
            self._learn_deep(value, everything=name in secret_names)

    def learn_result(self, value: Any) -> None:
        """Register secret fields of a result model (storage keys) so they never show up later."""
        items: list[Any] = value if isinstance(value, list) else [value]
        classes: set[type] = {type(v) for v in items}
        if any(_may_hold_secrets(cls) for cls in classes):
            self._learn_deep(value, everything=False)

    def _learn_deep(self, value: Any, *, everything: bool) -> None:
        if isinstance(value, str):
            if everything:
                self.add(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                self._learn_deep(getattr(value, f.name), everything=everything or bool(f.metadata.get("secret")))
        elif isinstance(value, Mapping):
            for k, v in value.items():
                self._learn_deep(v, everything=everything or k in SECRET_FIELDS)
        elif isinstance(value, (list, tuple)):
            for v in value:
                self._learn_deep(v, everything=everything)

    def arguments(self, spec: OperationSpec | None, args: Mapping[str, Any]) -> dict[str, Any]:
        """Operation arguments as shown to people: secret arguments are ``***`` whatever they hold."""
        self.learn_arguments(spec, args)
        secret_names = {a.name for a in spec.arguments if a.secret} if spec else set()
        return {k: (MASK if k in secret_names and v is not None else self.value(v)) for k, v in args.items()}


def masker_for(secret_values: Mapping[str, str]) -> Masker:
    """A masker for a flow's secrets (name -> value: secret params, ``env:NAME`` for
    ``env_secret``); a secret too short to mask is refused naming where it came from."""
    masker = Masker()
    for name, value in secret_values.items():
        what = f'env_secret("{name[4:]}")' if name.startswith("env:") else f"secret param '{name}'"
        masker.add(value, f"the value of {what}")
    return masker


# Values masked as they are: nothing in them can hold a secret (exact classes, not subclasses).
_PLAIN: frozenset[type] = frozenset({int, float, bool, type(None)})


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, bool], ...] | None:
    """The fields of a dataclass as (name, secret), None for any other class (a dataclass
    *class* itself has ``type`` as its class, so it is not taken for an instance). Masking every
    event and result reads them per object; ``dataclasses.fields`` rebuilds its answer each call."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple((f.name, bool(f.metadata.get("secret"))) for f in dataclasses.fields(cls))


@functools.cache
def _may_hold_secrets(cls: type) -> bool:
    """Whether a result class has a secret field, directly or in a nested model (cached per class:
    walking every read's result would cost more than the read)."""
    if not dataclasses.is_dataclass(cls):
        return False
    try:
        hints = typing.get_type_hints(cls)
    except (NameError, TypeError):
        return True  # cannot tell: be safe
    for f in dataclasses.fields(cls):
        if f.metadata.get("secret"):
            return True
        for arg in _classes_in(hints.get(f.name)):
            if arg is not cls and _may_hold_secrets(arg):
                return True
    return False


def _classes_in(annotation: Any) -> list[type]:
    if isinstance(annotation, type):
        return [annotation]
    return [c for a in typing.get_args(annotation) for c in _classes_in(a)]


class LiveSecrets(Collection[str]):
    """A read-only view of a masker's secrets (plus ``extra``) that grows as the run learns more.

    The recorder and the replayer re-read it whenever they scrub or mask, so a secret learnt
    mid-run (a storage key read by one step) is kept out of everything written after it.
    """

    def __init__(self, masker: Masker, extra: Iterable[str] = ()) -> None:
        self._masker = masker
        self._extra = frozenset(extra)

    def _current(self) -> frozenset[str]:
        return self._masker.secrets | self._extra

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._current()))

    def __len__(self) -> int:
        return len(self._current())

    def __contains__(self, value: object) -> bool:
        return value in self._current()
