"""Character classes every stage shares: what no document can carry, what changes how text reads
without being seen, and so what a terminal must never be sent raw."""
import re

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates;
# the noncharacters U+FFFE and U+FFFF. XML 1.0 cannot carry them: Word and LibreOffice refuse the file.
_UNCARRIABLE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
# Bidi embeddings, overrides and isolates, direction marks, zero-width spaces and joiners, word
# joiners, a BOM inside text, and the line and paragraph separators.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u2028\u2029"

UNCARRIABLE = re.compile(f"[{_UNCARRIABLE}]")
INVISIBLE = re.compile(f"[{_INVISIBLE}]")
UNPRINTABLE = re.compile(f"[\t\n\r{_UNCARRIABLE}{_INVISIBLE}]")  # escapes included: ANSI starts with ESC

# Chinese characters and their punctuation: CJK symbols, ideographs (extension A and the unified
# block), compatibility ideographs, full-width forms. Compared as code points: a regular expression
# class this wide costs milliseconds to compile on every start.
CJK_RANGES = ((0x3000, 0x303F), (0x3400, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))


def is_cjk(ch: str) -> bool:
    """True for one Chinese character or Chinese punctuation mark."""
    code = ord(ch)
    return any(low <= code <= high for low, high in CJK_RANGES)
