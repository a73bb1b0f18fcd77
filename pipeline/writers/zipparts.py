"""ZIP packages (DOCX) made from a reference package's parts: a part kept as it is goes in still compressed.

The reference document's styles alone are 800 KB of XML; compressing them again for every plan cost
more than writing the plan's own body. A kept part is copied with its compressed bytes, its CRC and
its sizes as the reference has them; only the parts written for this plan are compressed here.
"""
from __future__ import annotations

import struct
import time
import zipfile
import zlib

LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")
VERSION = 20  # deflate, as zipfile writes it


class Kept:
    """One part of a reference package, compressed as it is stored there."""

    __slots__ = ("method", "crc", "size", "raw")

    def __init__(self, method: int, crc: int, size: int, raw: bytes):
        self.method, self.crc, self.size, self.raw = method, crc, size, raw


def read_kept(path: str) -> dict[str, Kept]:
    """Every part of the ZIP at path, compressed as stored (plain or deflated parts only)."""
    kept = {}
    with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
        for info in archive.infolist():
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise zipfile.BadZipFile(f"{info.filename}: encrypted or compressed in a way DOCX does not use")
            handle.seek(info.header_offset)
            header = handle.read(LOCAL.size)
            if len(header) < LOCAL.size or header[:4] != b"PK\x03\x04":
                raise zipfile.BadZipFile(f"{info.filename}: damaged local header")
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + LOCAL.size + name_length + extra_length)
            raw = handle.read(info.compress_size)
            if len(raw) != info.compress_size:
                raise zipfile.BadZipFile(f"{info.filename}: truncated")
            kept[info.filename] = Kept(info.compress_type, info.CRC, info.file_size, raw)
    return kept


def unpacked(part: Kept) -> bytes:
    """A kept part's bytes, decompressed and checked against its CRC."""
    data = part.raw if part.method == zipfile.ZIP_STORED else zlib.decompress(part.raw, -15)
    if zlib.crc32(data) != part.crc or len(data) != part.size:
        raise zipfile.BadZipFile("a part does not match its CRC")
    return data


def package(parts: list[tuple[str, Kept | bytes]]) -> bytes:
    """A ZIP of the parts in this order: Kept ones copied as they are, bytes deflated here."""
    now = time.localtime()
    dos_time = now.tm_hour << 11 | now.tm_min << 5 | now.tm_sec // 2
    dos_date = (now.tm_year - 1980) << 9 | now.tm_mon << 5 | now.tm_mday
    out, central = [], []
    offset = 0
    for name, part in parts:
        if not isinstance(part, Kept):
            compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            part = Kept(zipfile.ZIP_DEFLATED, zlib.crc32(part), len(part), compressor.compress(part) + compressor.flush())
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # UTF-8 name
        out += [LOCAL.pack(0x04034B50, VERSION, flags, part.method, dos_time, dos_date, part.crc, len(part.raw),
                           part.size, len(encoded), 0), encoded, part.raw]
        central += [CENTRAL.pack(0x02014B50, 3 << 8 | VERSION, VERSION, flags, part.method, dos_time, dos_date, part.crc,
                                 len(part.raw), part.size, len(encoded), 0, 0, 0, 0, 0o600 << 16, offset), encoded]
        offset += LOCAL.size + len(encoded) + len(part.raw)
    directory = b"".join(central)
    end = END.pack(0x06054B50, 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join(out) + directory + end
