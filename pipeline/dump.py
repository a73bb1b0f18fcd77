"""Model → YAML: the inverse of the loader, writing only what differs from the defaults.

Used to write plans the officer did not type (a new year's draft, an imported document) and by
the round-trip tests: load(dump(plan)) == plan.
"""
from __future__ import annotations

import dataclasses

import yaml

from .model import Plan
from .rocdate import RocDate
from .schema import Located, PointRange, model_fields


def to_data(value):
    if isinstance(value, Plan):
        return _plan_data(value)
    if isinstance(value, Located):
        data = _model_data(value)
        # What an officer would write: a bare text, or a bare list, where the format allows it.
        if list(data) == [value.scalar_field] and isinstance(data[value.scalar_field], str):
            return data[value.scalar_field]
        if list(data) == [value.sequence_field]:
            return data[value.sequence_field]
        return data
    if isinstance(value, list):
        return [to_data(v) for v in value]
    if isinstance(value, RocDate):
        return value.short
    if isinstance(value, PointRange):
        return value.text
    return value


def _model_data(obj: Located) -> dict:
    data = {}
    defaults = {f.name: f for f in dataclasses.fields(obj)}
    for name in model_fields(type(obj)):
        value = getattr(obj, name)
        spec = defaults[name]
        default = spec.default if spec.default is not dataclasses.MISSING else (
            spec.default_factory() if spec.default_factory is not dataclasses.MISSING else dataclasses.MISSING)
        if value is None or value == default:
            continue
        data[name] = to_data(value)
    return data


def _plan_data(plan: Plan) -> dict:
    data = _model_data(plan)
    ordered = {k: data.pop(k) for k in ("agency", "year", "title", "cover", "issued", "numbering") if k in data}
    for key in plan.order or []:
        if key in data:
            ordered[key] = data.pop(key)
    ordered.update(data)
    return ordered


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def to_yaml(plan: Plan) -> str:
    return yaml.dump(to_data(plan), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
