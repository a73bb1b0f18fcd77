"""Plan import: the basis — references to documents (issuer, date, number, verb, title) in a sentence
or as a list, read only when they print back exactly as written.
"""
from __future__ import annotations

import re

from ..model import Basis, Reference
from ..rocdate import DateFormatError, parse_roc_date
from ..tree import reference_text
from .lines import squeeze

# The issuer and the number are bounded, as real ones are: unbounded, a long text without a date was
# scanned from every position to its end (a paragraph of 20,000 characters took ten seconds).
REFERENCE = re.compile(
    r"(?P<issuer>[^，。；、及「」\s][^，。；「」]{0,60}?)\s*(?P<date>\d{2,3}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*"
    r"(?P<number>[^\s，。]{0,30}?字第\s*\d+\s*號)(?P<verb>函頒|函送|函|令頒|令)?(?:之?「(?P<document>[^」]+)」)?")


def basis_of(common: dict, report, guesses) -> Basis:
    texts = [common["text"]] if common["text"] else []
    basis = Basis(title=common["title"], items=common["items"], table=common["table"],
                  items_style=common["items_style"], same_line=common.get("same_line", False))
    if texts and not basis.items:
        refs, ending = references_in(texts[0])
        if refs and squeeze("及".join(reference_text(r) for r in refs) + ending) == squeeze(texts[0]):
            basis.references, basis.ending = refs, ending
            report.append(f"依據：{len(refs)} 則文件（一句）")
            return basis
        basis.text = texts[0]
        guesses["basis"] = "依據文字未能拆成文件清單，保留原文"
        return basis
    if basis.items and all(not i.items for i in basis.items) and not basis.text:
        parsed = [references_in(i.text or i.title or "") for i in basis.items]
        if all(len(refs) == 1 and ending in ("。", "") and
               squeeze(reference_text(refs[0]) + "。") == squeeze((i.text or i.title or "").rstrip("。") + "。")
               for (refs, ending), i in zip(parsed, basis.items)):
            basis.references = [refs[0] for refs, _ in parsed]
            basis.items, basis.style = [], "list"
            report.append(f"依據：{len(basis.references)} 則文件（逐項）")
    return basis


def references_in(text: str) -> tuple[list[Reference], str]:
    refs, position = [], 0
    for match in REFERENCE.finditer(text):
        between = text[position:match.start()].strip()
        if between not in ("", "及", "、", "暨"):
            return [], ""
        try:
            date = parse_roc_date(match.group("date"))
        except DateFormatError:
            return [], ""
        refs.append(Reference(issuer=match.group("issuer").strip(), date=date,
                              number=spaced_number(match.group("number")), verb=match.group("verb"),
                              document=match.group("document")))
        position = match.end()
    return refs, text[position:].strip()


def spaced_number(number: str) -> str:
    return re.sub(r"字第\s*(\d+)\s*號", r"字第 \1 號", number)
