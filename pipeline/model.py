"""The plan format: what a plan YAML file may contain, declared once.

The loader converts YAML into these classes (pipeline/schema.py reads the declarations), the
JSON Schema for editors is written from them, and docs/format.md describes the same fields.
"""
from dataclasses import field
from typing import Literal, Optional

from .records import record
from .rocdate import RocDate
from .schema import Lines, Located, Points, doc

# The parts of the design card, in their usual order, with the heading used when none is given.
PARTS = {
    "basis": "計畫依據",
    "period": "計畫期程",
    "goals": "計畫目標",
    "targets": "實施對象",
    "strategies": "實施策略與方法",
    "steps": "實施方式與步驟",
    "assessment": "評核作業",
}

# Words an officer may type for a field; used only to suggest the right key.
SYNONYMS = {
    "依據": "basis", "計畫依據": "basis", "期程": "period", "計畫期程": "period",
    "目標": "goals", "計畫目標": "goals", "goal": "goals", "對象": "targets", "實施對象": "targets",
    "target": "targets", "策略": "strategies", "實施策略": "strategies", "strategy": "strategies",
    "步驟": "steps", "實施步驟": "steps", "step": "steps", "評核": "assessment", "考核": "assessment",
    "機關": "agency", "年度": "year", "標題": "title", "名稱": "title", "內容": "text",
    "項目": "items", "item": "items", "配分": "points", "分數": "points", "附件": "appendices",
    "附表": "appendices", "appendix": "appendices", "section": "sections", "封面": "cover",
    "編號": "code", "說明": "note", "表格": "table", "欄位": "columns", "列": "rows",
    "開始": "start", "結束": "end", "日期": "date", "文號": "number", "字號": "number",
}

LIST_STYLES = ("壹", "一", "（一）", "1", "（1）", "甲", "（甲）", "子", "（子）")
ListStyle = Literal["壹", "一", "（一）", "1", "（1）", "甲", "（甲）", "子", "（子）"]


@record(kw_only=True)
class Numbering(Located):
    """編號寫法：壹、→ 一、→（一）→ 1. →（1）→ 甲、… 各機關習慣不同的地方。"""

    top: Optional[Literal["壹", "一"]] = field(
        default=None, metadata=doc("段落的編號：壹（預設，壹、→一、→（一））或 一（要點常見的 一、→（一）→1.）"))
    three: Optional[Literal["參", "叁"]] = field(default=None, metadata=doc("「參」的寫法：參（預設）或 叁"))
    parentheses: Optional[Literal["full", "half", "全形", "半形"]] = field(
        default=None, metadata=doc("括號：full／全形 （一）（預設），或 half／半形 (一)"))
    arabic: Optional[Literal["1.", "1、", "1"]] = field(
        default=None, metadata=doc("阿拉伯數字層的寫法：1.（預設）、1、 或只寫數字 1"))
    above_ten: Optional[Literal["拾壹", "壹拾壹"]] = field(
        default=None, metadata=doc("第 11 項以後的大寫：拾壹（預設）或 壹拾壹（Word 的寫法）"))


@record(kw_only=True)
class Cell(Located):
    """表格的一格：一段文字，或帶有跨列數與編號子項目。"""

    scalar_field = "text"

    text: Optional[str] = field(default=None, metadata=doc("格內文字（可用 Markdown 粗體、連結）"))
    items: list["Item"] = field(default_factory=list, metadata=doc("格內的編號子項目"))
    items_style: Optional[ListStyle] = field(default=None, metadata=doc("格內子項目的編號樣式，預設 1"))
    span: int = field(default=1, metadata=doc("向下跨幾列（預設 1）；被跨過的列省略這一欄"))


@record(kw_only=True)
class Table(Located):
    """表格：欄名與各列；一格可跨多列（span），格內可有編號子項目。"""

    caption: Optional[str] = field(default=None, metadata=doc("表格標題（網頁上的 caption）"))
    columns: list[str] = field(metadata=doc("欄名，例如 [實施要項, 執行策略, 執行方法]"))
    rows: list[list[Cell]] = field(default_factory=list, metadata=doc("各列，每列是一串格子"))
    widths: list[int] = field(default_factory=list, metadata=doc("各欄相對寬度，例如 [2, 3, 5]"))


@record(kw_only=True)
class Item(Located):
    """一個編號項目：可有標題、內文、編號代碼、配分，以及下一層項目（層數不限）。"""

    scalar_field = "text"

    title: Optional[str] = field(default=None, metadata=doc("項目標題，例如「建構友善環境，回應民眾需求」"))
    text: Optional[str] = field(default=None, metadata=doc("項目內文（可用 Markdown 粗體、連結）"))
    same_line: bool = field(default=False, metadata=doc(
        "標題與內文印在同一行，以冒號相接（例如「（二）服務資訊透明度：於網站公布…」）"))
    code: Optional[str] = field(default=None, metadata=doc("項目代碼，例如 A-1-1"))
    points: Optional[Points] = field(default=None, metadata=doc("配分（整數），或分數範圍如 8~10"))
    points_text: Optional[str] = field(default=None, metadata=doc("配分欄要印的文字（例如「本項配分 60 分」）；空字串表示不印"))
    pick_one: bool = field(default=False, metadata=doc("下層項目是擇一的選項（配分不相加）"))
    check: Optional[Literal["是否", "勾選"]] = field(
        default=None, metadata=doc("評核表的勾選框：是否（□是□否）或 勾選（□）"))
    label: Optional[str] = field(default=None, metadata=doc("自訂編號（例如「甲、」）；通常不必寫，系統自動編號"))
    items_style: Optional[ListStyle] = field(default=None, metadata=doc("下一層項目改用的編號樣式，例如 甲"))
    items: list["Item"] = field(default_factory=list, metadata=doc("下一層項目"))
    table: Optional[Table] = field(default=None, metadata=doc("項目下的表格"))
    note: Optional[str] = field(default=None, metadata=doc("修正說明（修正對照表的「說明」欄），不印在計畫中"))


@record(kw_only=True)
class Section(Located):
    """計畫的一個段落（壹、貳、…，或 numbering.top 為 一 時 一、二、…）：標題、內文、編號項目、表格。"""

    scalar_field = "text"
    sequence_field = "items"

    title: Optional[str] = field(default=None, metadata=doc("段落標題；標準段落可省略，用預設標題"))
    label: Optional[str] = field(default=None, metadata=doc("自訂編號（例如原文從「貳、」起編）；通常不必寫，系統自動編號"))
    same_line: bool = field(default=False, metadata=doc("內文接在標題冒號後同一行（例如「肆、實施對象：本會各組」）"))
    text: Optional[str] = field(default=None, metadata=doc("段落內文；空一行分段"))
    items: list[Item] = field(default_factory=list, metadata=doc("編號項目（一、二、…）"))
    items_style: Optional[ListStyle] = field(default=None, metadata=doc("項目改用的編號樣式，預設為段落的下一層（一，或 top 為 一 時（一））"))
    table: Optional[Table] = field(default=None, metadata=doc("段落中的表格"))
    closing: Optional[str] = field(default=None, metadata=doc("項目之後的結語段落"))
    note: Optional[str] = field(default=None, metadata=doc("修正說明，不印在計畫中"))


@record(kw_only=True)
class Reference(Located):
    """一則依據文件：發文機關、日期、文號、動詞、文件名稱。"""

    issuer: str = field(metadata=doc("發文機關，例如 行政院"))
    date: Optional[RocDate] = field(default=None, metadata=doc("發文日期（民國），例如 96-07-23"))
    number: Optional[str] = field(default=None, metadata=doc("發文字號，例如 院授研展字第 09600152471 號"))
    verb: Optional[str] = field(default=None, metadata=doc("動詞，例如 函頒、函"))
    document: Optional[str] = field(default=None, metadata=doc("文件名稱（不含「」），例如 政府服務創新精進方案"))
    quoted: bool = field(default=True, metadata=doc("文件名稱加上「」（預設 是）；機關原文不加時寫 否"))


@record(kw_only=True)
class Basis(Section):
    """計畫依據：依據文件寫成一句（sentence）或逐項列出（list）。"""

    references: list[Reference] = field(default_factory=list, metadata=doc("依據文件"))
    style: Literal["sentence", "list"] = field(
        default="sentence", metadata=doc("sentence：各文件以「及」連成一句；list：逐項列出"))
    ending: str = field(default="辦理。", metadata=doc("寫成一句時的結尾，預設「辦理。」"))


@record(kw_only=True)
class Period(Section):
    """計畫期程：起訖日期；wording 可用 {start} {end} {length} 代入。"""

    scalar_field = None
    sequence_field = None

    start: RocDate = field(metadata=doc("開始日期（民國），例如 103-01-01"))
    end: RocDate = field(metadata=doc("結束日期（民國），例如 103-12-31"))
    wording: str = field(default="自民國 {start}至 {end}止，為期 {length}。",
                         metadata=doc("期程的寫法，{start} {end} {length} 會代入日期與期間"))


@record(kw_only=True)
class Form(Located):
    """評核項目表：表頭欄位、評核內容（勾選框、配分）與合計。"""

    title: str = field(metadata=doc("表名，例如「提供候選人登記服務」"))
    fields: list[str] = field(default_factory=list, metadata=doc("表頭待填欄位，例如 [受評核機關或單位名稱, 評核日期]"))
    columns: list[str] = field(
        default_factory=lambda: ["評核內容（依實際情形勾選選項）", "配分", "評分", "評核紀錄事項"],
        metadata=doc("欄名；第一欄是評核內容，第二欄是配分"))
    total: Optional[int] = field(default=None, metadata=doc("總分；填了就檢查各項配分相加是否等於總分"))
    total_label: Optional[str] = field(default=None, metadata=doc("合計列的文字，例如「評分合計」"))
    first_style: ListStyle = field(default="（一）", metadata=doc("第一層項目的編號樣式，預設（一）"))
    numbering: Optional[Numbering] = field(default=None, metadata=doc("本表的編號寫法（覆寫全計畫的設定）"))
    items: list[Item] = field(default_factory=list, metadata=doc("評核項目"))
    notes: Optional[str] = field(default=None, metadata=doc("表後附註，例如「註：…」"))


@record(kw_only=True)
class Appendix(Located):
    """附件或附表：標題、內文、項目、表格與評核項目表。"""

    title: str = field(metadata=doc("附件標題，例如「附表　○○評核項目表」"))
    text: Optional[str] = field(default=None, metadata=doc("說明文字"))
    items: list[Item] = field(default_factory=list, metadata=doc("編號項目"))
    table: Optional[Table] = field(default=None, metadata=doc("表格"))
    forms: list[Form] = field(default_factory=list, metadata=doc("評核項目表（各自編號一、二、…）"))
    numbering: Optional[Numbering] = field(default=None, metadata=doc("本附件的編號寫法"))


@record(kw_only=True)
class Cover(Located):
    """封面：計畫名稱、訂定機關一行、日期與文號（取自 issued，文號後接動詞）。"""

    title: Optional[str] = field(default=None, metadata=doc("封面上的計畫名稱，預設同 title"))
    note: Optional[str] = field(default=None, metadata=doc("封面另一行，例如「○○事務所 訂定」"))


@record(kw_only=True)
class Issued(Located):
    """核定或函頒本計畫的日期、文號與動詞；沒有封面時印在標題下一行：「中華民國 113 年 2 月 1 日○○字第 1130000123 號函核定」。"""

    date: Optional[RocDate] = field(default=None, metadata=doc("核定日期（民國）"))
    number: Optional[str] = field(default=None, metadata=doc("核定文號，例如 中市某國小教字第 1130000123 號"))
    verb: Optional[str] = field(default=None, metadata=doc("文號後的動詞，例如 函核定、函頒、函訂定、函修正"))


@record(kw_only=True)
class Plan(Located):
    """一個機關一個年度的計畫。段落依檔案中書寫的順序排列。"""

    agency: str = field(metadata=doc("機關全名，例如 高雄市選舉委員會"))
    year: int = field(metadata=doc("計畫年度（民國年），例如 103"))
    title: Lines = field(metadata=doc("計畫名稱；可寫成多行（清單）"))
    cover: Optional[Cover] = field(default=None, metadata=doc("封面（有才印）"))
    issued: Optional[Issued] = field(default=None, metadata=doc("核定日期、文號與動詞；有封面印在封面，沒有則印在標題下一行"))
    numbering: Numbering = field(default_factory=Numbering, metadata=doc("編號寫法"))
    basis: Optional[Basis] = field(default=None, metadata=doc("計畫依據"))
    period: Optional[Period] = field(default=None, metadata=doc("計畫期程"))
    goals: Optional[Section] = field(default=None, metadata=doc("計畫目標"))
    targets: Optional[Section] = field(default=None, metadata=doc("實施對象"))
    strategies: Optional[Section] = field(default=None, metadata=doc("實施策略與方法"))
    steps: Optional[Section] = field(default=None, metadata=doc("實施方式與步驟"))
    assessment: Optional[Section] = field(default=None, metadata=doc("評核"))
    sections: list[Section] = field(default_factory=list, metadata=doc("其他段落（例如 獎勵與輔導），放在檔案中寫的位置"))
    appendices: list[Appendix] = field(default_factory=list, metadata=doc("附件、附表"))

    source: str = field(default="", repr=False, compare=False, metadata={"internal": True})
    order: list[str] = field(default_factory=list, repr=False, metadata={"internal": True})
    notices: list = field(default_factory=list, repr=False, compare=False,
                          metadata={"internal": True})  # warnings from reading the file (pipeline/source.py)

    def ordered_sections(self) -> list[tuple[str, Section]]:
        """(key, section) in the order the officer wrote them; extra sections expand in place."""
        result = []
        for key in self.order:
            if key == "sections":
                result.extend((f"sections[{i}]", s) for i, s in enumerate(self.sections))
            elif getattr(self, key, None) is not None:
                result.append((key, getattr(self, key)))
        return result

    def section_title(self, key: str, section: Section) -> str:
        return section.title or PARTS.get(key, "")

