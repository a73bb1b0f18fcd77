"""What extraction leaves around a plan's text, for every reader: tags, Markdown marks, bullets, page
numbers, a table of contents (its lines end in dot leaders and a page), a lone `|` or `---`, and the chrome of the web page or regulations site it was copied from
(menus, 「友善列印」, 「回上一頁」, 「快速回到頁首」, icon names). Box-drawing lines are kept as they are.
"""
from __future__ import annotations

import re

from .markdown import unmark

PAGE_NUMBER = re.compile(r"^\s*(?:[-－—]\s*\d+\s*[-－—]|第\s*\d+\s*頁(?:\s*[，,]?\s*共\s*\d+\s*頁)?|\d+\s*/\s*\d+|\d+)\s*$")
BULLET = re.compile(r"^\s*(?:[•·●■◆◇▪▫‧・◎➢►▶]|(?:[-+○]|\\?\*)(?=\s))\s*")   # \* : an asterisk a reader escaped
BOX_DRAWING = re.compile(r"[\u2500-\u257f]")
RESIDUE = re.compile(r"^\s*(?:\||-{3,}|[:：]{3}|(?:\\?\*){3,}|_{3,})\s*$")
ICON = re.compile(r"^[a-z]+(?:_[a-z]+)+$")   # icon-font names such as text_rotate_vertical
CHROME = re.compile(
    r"^(?:跳到主要內容(?:區塊|區)?|按\s*Enter\s*到主內容區|您的瀏覽器不支援\s*JavaScript.*|網站導覽|回首頁.*|回上一頁|"
    r"回頁首|快速回到頁首.*|友善列印.*|列印(?:本頁)?|分享(?:至.*)?|字級(?:大小)?[:：]?.*|全文檢索|手機主選單|Close|"
    r"(?:現在|您的)位置\s*[:：]?\s*首頁.*|首頁\s*>.*|所有條文|首尾條文|歷史法規|法規內容[:：]?|圖表附件[:：]?|"
    r"資料來源[:：].*|列印時間[:：].*|(?:最後)?(?:異動|更新)(?:時間|日期)[:：].*|發布單位[:：].*|點閱(?:次數|數)?[:：].*|"
    r"(?:相關)?附件下載.*|Upload|others|View|Download|Embed Size \(px\)|Citation preview|Share|"
    r"[^\s]{2,20}(?:法規(?:共用|查詢)?系統|法規資料庫)|\d+|[A-Za-z]{1,6}|"
    # a regulations site's article page: its heading, notes on the search system and the empty search form
    r"條文內容|檢索字詞|期\s*間\s*自民國\s*日\s*至|查詢系統每月週期更新.*|部分資料內容.{0,10}使用特殊文字.*)$", re.I)


CONTENTS_HEADING = re.compile(r"^[【〔\[(（]?\s*目\s*(?:錄|次)\s*[】〕\])）]?$")
CONTENTS_LINE = re.compile(r"^\S.*?(?:[.．。…‥·‧・⋯]\s*){3,}\s*(?:第\s*)?(?:\d+(?:\s*[-－]\s*\d+)?|[ivxlIVXL]+)\s*頁?$")


def is_contents(line: str) -> bool:
    """A line of a table of contents: 「目錄」, or a heading, its dot leaders and a page (「貳、現有計畫……26-3」)."""
    text = line.strip()
    return bool(CONTENTS_HEADING.match(text) or CONTENTS_LINE.match(text))


def is_chrome(line: str) -> bool:
    """A line of the page around the plan, not of the plan."""
    text = line.strip()
    return bool(text) and (bool(CHROME.match(text)) or bool(ICON.match(text)) or bool(RESIDUE.match(text)))


def is_box_drawing(line: str) -> bool:
    """A line of a flow chart or a drawn table: kept as it is, never joined to the next."""
    return len(BOX_DRAWING.findall(line)) >= 2


def bulleted(line: str) -> bool:
    return bool(BULLET.match(re.sub(r"<[^>]+>", "", line)))


def clean_line(line: str) -> str:
    """One line without tags, Markdown marks or a bullet; spaces collapsed."""
    line = re.sub(r"<[^>]+>", "", line)
    line = unmark(line)
    line = BULLET.sub("", line)
    line = line.replace("\u3000", " ").strip()
    return re.sub(r"\s{2,}", " ", line)
