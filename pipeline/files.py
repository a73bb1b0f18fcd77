"""Writing outputs safely: a temporary file beside the target, then an atomic rename.

A failed or interrupted build never leaves a half-written file, and the last good output stays.
"""
from __future__ import annotations

import errno
import os
import signal
import stat

from .errors import BuildError


def inside(root: str, path: str) -> bool:
    """True when `path`, every symbolic link followed, still lies inside the folder `root`."""
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(path)]) == real_root


def outside_message(path: str, root: str) -> str:
    return (f"{path}: 這個計畫檔是捷徑（符號連結），指向「{root}」資料夾以外的檔案，不予讀取；"
            "請把計畫檔本身放進這個資料夾。 (symbolic link leads outside the plans folder)")


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to `path` whole or not at all; only a regular file is ever replaced.

    A fault of the file system (disk full, read-only folder, a file where a folder should be) is a
    BuildError naming the path; the temporary file is removed and the last good output stays.
    """
    refuse_special(path)
    folder = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        os.makedirs(folder, exist_ok=True)
        with _interruptions_held():  # Ctrl-C or SIGTERM between creating the file and knowing its name left it behind
            handle, temporary = _new_temporary(folder, os.path.basename(path))
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        refuse_special(path)
        os.replace(temporary, path)
    except BaseException as exc:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise BuildError(fault_message(exc, path)) from None
        raise


class _interruptions_held:
    """Ctrl-C and SIGTERM wait until the block ends (then arrive as usual) in the thread that holds them:
    a build worker, which has no other thread. Where the system cannot hold signals (Windows), nothing
    changes."""

    SIGNALS = {signal.SIGINT, signal.SIGTERM}

    def __enter__(self):
        self.before = signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS) if HOLDS_SIGNALS else None

    def __exit__(self, *_):
        if self.before is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, self.before)


HOLDS_SIGNALS = hasattr(signal, "pthread_sigmask")


def _new_temporary(folder: str, name: str) -> tuple[int, str]:
    """A new file beside the target, opened for writing, that no other process can have opened:
    created exclusively under a random name (as tempfile.mkstemp does, without loading its module)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    while True:
        temporary = os.path.join(folder, f".tmp-{os.urandom(6).hex()}{name}")
        try:
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            continue


def refuse_special(path: str) -> None:
    """A BuildError unless `path` is absent or a regular file (not a link, device, pipe or folder)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BuildError(fault_message(exc, path)) from None
    if not stat.S_ISREG(info.st_mode):
        kind = ("資料夾" if stat.S_ISDIR(info.st_mode) else "捷徑（符號連結）" if stat.S_ISLNK(info.st_mode)
                else "特殊檔案（裝置或管道）")
        raise BuildError(f"{path}: 這是{kind}，不是一般檔案，不予覆蓋；請指定別的輸出檔名"
                         "（要印到畫面請用 -o -）。 (refusing to replace something that is not a regular file)")


FAULTS = {errno.ENOSPC: "磁碟已滿", errno.EDQUOT: "超過磁碟配額", errno.EROFS: "磁碟是唯讀的",
          errno.EACCES: "沒有寫入權限", errno.EPERM: "沒有寫入權限", errno.ENOTDIR: "路徑中有一段是檔案而不是資料夾",
          errno.EEXIST: "路徑中有一段是檔案而不是資料夾", errno.EISDIR: "這是資料夾"}


def fault_message(exc: OSError, path: str) -> str:
    """One line for a file-system fault: the path, what happened in plain words, the system's words."""
    where = exc.filename if isinstance(exc.filename, str) and exc.filename else path
    plain = FAULTS.get(exc.errno)
    words = f"{plain}，無法寫入。" if plain else "無法寫入。"
    return f"{where}: {words} ({exc.strerror or exc})" if where else f"{words} ({exc.strerror or exc})"
