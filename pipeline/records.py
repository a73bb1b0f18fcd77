"""Shared by every stage: the plain data classes that every command loads at start.

`@record` is `@dataclass` whose `__eq__` and `__repr__` are one pair of functions shared by every
class, read from its fields, where `dataclass` would compile both anew for each class at every
start of the program (about a third of the cost of importing the model and the document tree).
They answer as dataclass's would: equal when of the same class with equal compared fields,
unhashable unless frozen (then hashed by those fields), and shown as `Name(field=value, ...)` with
the fields that are shown.
"""
from __future__ import annotations

from dataclasses import dataclass, fields


def record(cls=None, /, **options):
    """@dataclass(**options) with the shared __eq__ and __repr__; a frozen record hashes its compared fields."""
    def make(cls):
        cls = dataclass(cls, eq=False, repr=False, **options)
        cls.__eq__, cls.__repr__ = _equal, _shown
        cls.__hash__ = _hashed if options.get("frozen") else None
        return cls
    return make if cls is None else make(cls)


def _equal(self, other):
    if other.__class__ is not self.__class__:
        return NotImplemented
    names = [f.name for f in fields(self) if f.compare]
    return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)


def _hashed(self) -> int:
    return hash(tuple(getattr(self, f.name) for f in fields(self) if f.compare))


def _shown(self) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
    return f"{type(self).__qualname__}({shown})"
