"""@record answers equality and repr as @dataclass would, from one shared pair of functions."""
from dataclasses import dataclass, field, fields, is_dataclass

import pytest

from pipeline.model import Item, Section
from pipeline.records import record
from pipeline.errors import Where


@dataclass
class Made:
    name: str
    count: int = 0
    hidden: list = field(default_factory=list, repr=False, compare=False)


@record
class Recorded:
    name: str
    count: int = 0
    hidden: list = field(default_factory=list, repr=False, compare=False)


@pytest.mark.parametrize("a, b", [(("x", 1, [1]), ("x", 1, [2])), (("x", 1, []), ("x", 2, [])),
                                  (("x", 1, []), ("y", 1, [])), (("雲", 0, []), ("雲", 0, []))])
def test_equality_and_repr_as_dataclass_gives_them(a, b):
    assert (Recorded(*a) == Recorded(*b)) == (Made(*a) == Made(*b))
    assert (Recorded(*a) != Recorded(*b)) == (Made(*a) != Made(*b))
    assert repr(Recorded(*a)) == repr(Made(*a)).replace("Made", "Recorded")


def test_a_record_is_a_dataclass_unhashable_and_unequal_to_another_class():
    assert is_dataclass(Recorded) and [f.name for f in fields(Recorded)] == ["name", "count", "hidden"]
    with pytest.raises(TypeError):
        hash(Recorded("x"))
    assert Recorded("x") != Made("x") and Made("x") != Recorded("x")


def test_model_objects_compare_their_content_not_where_they_were_written():
    a = Item(text="辦理訓練", items=[Item(text="一場")])
    b = Item(text="辦理訓練", items=[Item(text="一場")])
    b.where, b.at = Where("plans/x/103.yaml", 4, 3), {"text": Where("plans/x/103.yaml", 4, 9)}
    assert a == b
    b.items[0].text = "兩場"
    assert a != b
    assert Section(title="辦理訓練") != Item(title="辦理訓練")
    assert "where" not in repr(b) and repr(a).startswith("Item(title=None, text='辦理訓練'")


@dataclass(frozen=True)
class FrozenMade:
    name: str
    note: str = field(default="", compare=False)


@record(frozen=True)
class FrozenRecorded:
    name: str
    note: str = field(default="", compare=False)


def test_a_frozen_record_hashes_and_refuses_changes_as_dataclass_does():
    assert hash(FrozenRecorded("x", "a")) == hash(FrozenRecorded("x", "b"))
    assert (hash(FrozenRecorded("x")) == hash(FrozenRecorded("y"))) == (hash(FrozenMade("x")) == hash(FrozenMade("y")))
    assert {FrozenRecorded("x", "a"), FrozenRecorded("x", "b"), FrozenRecorded("y")} == {FrozenRecorded("x"), FrozenRecorded("y")}
    with pytest.raises(AttributeError):
        FrozenRecorded("x").name = "y"
    assert repr(FrozenRecorded("x", "a")) == repr(FrozenMade("x", "a")).replace("FrozenMade", "FrozenRecorded")
