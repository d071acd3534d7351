"""A partner file as it is on disk, read once: copied into the raw archive and hashed in the same pass.

Everything after registration reads the copy, so the ledger's sha256, the archived bytes and the rows loaded
are the same file even when the original is still being written, replaced or removed meanwhile.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from tasks.standardise.errors import InputError

_BLOCK = 1 << 20
_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def refuse_unless_regular(path: Path) -> None:
    """One line for what MALUX never reads: a symbolic link (it may point anywhere) or anything not a file."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such file") from None
    if stat.S_ISLNK(mode):
        raise InputError(f"{path}: a symbolic link, refused; give the file itself")
    if not stat.S_ISREG(mode):
        raise InputError(f"{path}: {_kind(mode)}, not a regular file; refused")


def open_regular(path: Path) -> int:
    """A read descriptor on the file itself: no link followed, and a FIFO or device refused, not waited on."""
    refuse_unless_regular(path)
    try:  # the check above and this open are not atomic: O_NOFOLLOW and fstat close that window
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link, refused; give the file itself") from None
        if exc.errno == errno.EACCES:
            raise PermissionError(f"{path}: cannot be read") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(f"{path}: {_kind(mode)}, not a regular file; refused")
    return fd


def sha256_of(path: Path) -> str:
    """The sha256 of a regular file, read without following a link."""
    digest = hashlib.sha256()
    with os.fdopen(open_regular(path), "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def archive_copy(source: Path, raw_dir: Path) -> tuple[Path, str]:
    """Copy the file into `raw/<sha[:2]>/<sha>/<name>`, read-only, hashing the bytes as they are written.

    Returns the archived path and its sha256; an archived file is never rewritten.
    """
    digest = hashlib.sha256()
    buffer = bytearray(_BLOCK)
    view = memoryview(buffer)
    with os.fdopen(open_regular(source), "rb") as src:
        raw_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=raw_dir, prefix=".incoming-", delete=False) as out:
            tmp = Path(out.name)
            try:
                while n := src.readinto(buffer):
                    digest.update(view[:n])
                    out.write(view[:n])
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
    sha = digest.hexdigest()
    target = raw_dir / sha[:2] / sha / source.name
    try:
        if target.exists():
            tmp.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target, sha
