"""Writes docs/fields.md: every field of the plan format, from the declarations in pipeline/model.py.

Run: .venv/bin/python tools/make_field_reference.py   (a test checks the file is current)
"""
from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import model  # noqa: E402
from pipeline.schema import Lines, Located, PointRange, model_fields  # noqa: E402
from pipeline.rocdate import RocDate  # noqa: E402

ORDER = [model.Plan, model.Numbering, model.Cover, model.Issued, model.Basis, model.Reference, model.Period,
         model.Section, model.Item, model.Table, model.Cell, model.Appendix, model.Form]
OUT = ROOT / "docs" / "fields.md"


def type_name(tp) -> str:
    origin = typing.get_origin(tp)
    if tp is Lines:
        return "文字或文字清單"
    if origin in (typing.Union, types.UnionType):
        options = [o for o in typing.get_args(tp) if o is not type(None)]
        if set(options) == {int, PointRange}:
            return "整數或分數範圍（8~10）"
        return " 或 ".join(type_name(o) for o in options)
    if origin is list:
        return f"{type_name(typing.get_args(tp)[0])} 的清單"
    if origin is typing.Literal:
        return "、".join(f"`{v}`" for v in typing.get_args(tp))
    if tp is str:
        return "文字"
    if tp is int:
        return "整數"
    if tp is bool:
        return "是／否（或 true／false）"
    if tp is RocDate:
        return "民國日期"
    if isinstance(tp, type) and issubclass(tp, Located):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return str(tp)


def render() -> str:
    lines = ["# 計畫檔欄位一覽 (field reference)", "",
             "本頁由 `tools/make_field_reference.py` 依 `pipeline/model.py` 產生，請勿手改。",
             "寫法與範例見 [format.md](format.md)。", ""]
    for cls in ORDER:
        lines += [f"## {cls.__name__}", "", (cls.__doc__ or "").strip(), ""]
        if cls.scalar_field or cls.sequence_field:
            short = []
            if cls.scalar_field:
                short.append(f"只寫一段文字時，等於寫 `{cls.scalar_field}`")
            if cls.sequence_field:
                short.append(f"只寫一串清單時，等於寫 `{cls.sequence_field}`")
            lines += ["簡寫：" + "；".join(short) + "。", ""]
        lines += ["| 欄位 | 型態 | 必填 | 說明 |", "|---|---|---|---|"]
        for name, spec in model_fields(cls).items():
            lines.append(f"| `{name}` | {type_name(spec.type)} | {'是' if spec.required else ''} | {spec.doc} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
