"""Reading the text of a table from a file, plain or gzip, with every limit enforced *while* reading.

:func:`read_text` reads a file a megabyte at a time (a gzip file a compressed piece at a time, each piece
decompressed to at most a megabyte), and after every piece checks

* the bytes read (and, for gzip, the decompressed bytes) against the text limit,
* the compression ratio of a gzip file (a gzip bomb is refused after a few megabytes, not after hundreds),
* the rows so far (lines that are neither blank nor ``#`` comments, counted with numpy on the bytes) against
  :data:`~engine.data.dataset.MAX_POINTS`, and rows x columns of the first row against the data limit,
* the cancel flag (:func:`engine.data.common.cancel_check`),

so that a file which will be refused is refused after reading only as much as shows it, in little memory.

It also tells the encoding from the first bytes: UTF-8 (with or without a byte-order mark), UTF-16 with a
byte-order mark, UTF-16 without one (zero bytes at every other position), else Latin-1; other bytes with zeros
are a binary file. :func:`decode_text` does the same for bytes already in memory.

Example
-------
>>> import gzip, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "t.csv.gz")
>>> with open(path, "wb") as f:
...     _ = f.write(gzip.compress("x,y\\n1,2\\n".encode("utf-16")))
>>> text, notes = read_text(path, "t.csv.gz", gz=True)
>>> text, notes
('x,y\\n1,2\\n', ['Read as UTF-16 text.'])
"""
from __future__ import annotations

import codecs
import zlib
from typing import Callable, Iterable, Iterator

import numpy as np

from engine.data.common import SUPPORTED, cancel_check, check_size, reason
from engine.data.dataset import MAX_POINTS, DataError

__all__ = ["read_text", "text_chunks", "decode_text", "NotUtf8", "MAX_TEXT_BYTES", "MAX_TEXT_RATIO",
           "RATIO_FREE_BYTES"]

#: Largest text read (bytes, after decompression).
MAX_TEXT_BYTES = 512 * 1024 ** 2
#: Largest compression ratio of a gzip text past :data:`RATIO_FREE_BYTES` (tables of numbers compress 3-20x).
MAX_TEXT_RATIO = 200
#: Decompressed text smaller than this is harmless whatever its ratio.
RATIO_FREE_BYTES = 16 * 1024 ** 2
CHUNK = 1 << 20  # bytes read at a time from a plain file
GZ_CHUNK = 1 << 16  # compressed bytes read at a time
PIECE = 1 << 20  # most decompressed bytes one zlib call returns
HEAD = 1 << 16  # bytes the encoding is told from
_SPACE = np.array([32, 9, 13, 11, 12], np.uint8)  # space, tab, CR, VT, FF


def read_text(path, name: str, *, gz: bool = False, max_bytes: int = MAX_TEXT_BYTES,
              max_ratio: float = MAX_TEXT_RATIO, ratio_free: int = RATIO_FREE_BYTES,
              check: Callable[[str], None] | None = None) -> tuple[str, list[str]]:
    """The text of the file ``path`` and notes on how it was decoded; limits checked while reading.

    ``name`` starts every :class:`~engine.data.DataError` message; ``check(name)`` is called after every piece
    read (it raises to cancel, see :func:`engine.data.common.cancel_check`).
    """
    check = check or cancel_check()
    notes: list[str] = []
    rows = _RowCounter(name)
    codec = None
    for piece in _read_pieces(path, name, notes, gz, max_bytes, max_ratio, ratio_free):
        check(name)
        if isinstance(piece, str):
            codec = piece
            continue
        rows.add(piece)
    raw = rows.join()
    check(name)
    return _decode_whole(raw, codec, name, notes), notes


class NotUtf8(Exception):
    """Raised by :func:`text_chunks` when the text is not UTF-8: read it again with ``latin1=True``."""


def text_chunks(path, name: str, notes: list, *, gz: bool = False, latin1: bool = False,
                max_bytes: int = MAX_TEXT_BYTES, max_ratio: float = MAX_TEXT_RATIO, ratio_free: int = RATIO_FREE_BYTES,
                check: Callable[[str], None] | None = None) -> Iterator[str]:
    """The text of the file ``path`` in pieces of about a megabyte, each ending at a line end (the last one may
    not); the limits and the cancel flag are checked as in :func:`read_text`, and only the current piece is held.

    Notes on the encoding go to ``notes``. UTF-8 (or UTF-16, told from the first bytes) is decoded as it comes;
    bytes that are not UTF-8 raise :class:`NotUtf8` (pieces were already given out): the caller starts again
    with ``latin1=True``, which reads the file as Latin-1 and says so in a note.
    """
    check = check or cancel_check()
    rows = _RowCounter(name, keep=False)
    decode = None
    tail: list[bytes] = []  # pieces read since the last piece given out (gzip gives smaller ones: gathered)
    held = 0
    for piece in _read_pieces(path, name, notes, gz, max_bytes, max_ratio, ratio_free):
        check(name)
        if isinstance(piece, str):
            decode = _decoder(True, latin1, notes)
            continue
        rows.add(piece)
        decode = decode or _decoder(False, latin1, notes)
        tail.append(piece)
        held += len(piece)
        cut = piece.rfind(b"\n") + 1 if held >= CHUNK else 0
        if cut:
            tail[-1] = piece[:cut]
            yield decode(b"".join(tail))
            tail, held = [piece[cut:]], len(piece) - cut
    check(name)
    if decode is not None:
        yield decode(b"".join(tail), True)


def _read_pieces(path, name, notes, gz, max_bytes, max_ratio, ratio_free) -> Iterator:
    """The file's pieces as :func:`_decoded` gives them (a codec name, then bytes), within the limits; a file
    that cannot be read or a damaged gzip stream as a :class:`DataError` naming ``name``."""
    try:
        with open(path, "rb") as f:
            pieces = _gunzip(f, name, max_bytes, max_ratio, ratio_free) if gz else _plain(f, name, max_bytes)
            yield from _decoded(pieces, name, notes)
    except (zlib.error, EOFError) as exc:
        raise DataError(f"{name}: damaged gzip file ({reason(exc)}); download or compress it again.") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot be read ({reason(exc)}).") from None


def _decoder(transcoded: bool, latin1: bool, notes: list) -> Callable[..., str]:
    """``decode(raw, final=False)``: pieces of the text decoded in turn (UTF-8, a byte-order mark dropped)."""
    if latin1 and not transcoded:
        notes.append("The file is not UTF-8; it was read as Latin-1.")
    decoder = codecs.getincrementaldecoder("latin-1" if latin1 and not transcoded else "utf-8-sig")("strict")

    def decode(raw: bytes, final: bool = False) -> str:
        try:
            return decoder.decode(raw, final)
        except UnicodeDecodeError:
            raise NotUtf8("not UTF-8") from None
    return decode


def decode_text(raw: bytes, name: str, notes: list) -> str:
    """Bytes already read as text (encoding told as in :func:`read_text`); notes say how, when not UTF-8."""
    pieces = list(_decoded([raw], name, notes))
    codec = next((p for p in pieces if isinstance(p, str)), None)
    return _decode_whole(b"".join(p for p in pieces if isinstance(p, bytes)), codec, name, notes)


# ------------------------------------------------------------------ reading
def _plain(f, name: str, max_bytes: int) -> Iterator[bytes]:
    total = 0
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            return
        total += len(chunk)
        if total > max_bytes:
            raise DataError(f"{name}: larger than the limit of {max_bytes // 1024 ** 2:,} MiB of text; "
                            "use a subset of the rows.")
        yield chunk


def _gunzip(f, name: str, max_bytes: int, max_ratio: float, ratio_free: int) -> Iterator[bytes]:
    """The decompressed pieces of a gzip file (every member), refusing a gzip bomb as soon as it shows."""
    d = zlib.decompressobj(31)
    fed = out_total = 0
    data = b""
    while True:
        if not data or (d.eof and len(data) < 2):
            more = f.read(GZ_CHUNK)
            if not more:
                break
            fed += len(more)
            data += more
        if d.eof:  # the next member, or padding
            if not data.startswith(b"\x1f\x8b"):
                if data.strip(b"\x00"):
                    raise DataError(f"{name}: damaged gzip file (unexpected bytes after the compressed data); "
                                    "download or compress it again.")
                data = b""
                continue
            d = zlib.decompressobj(31)
        out = d.decompress(data, PIECE)
        data = d.unused_data if d.eof else d.unconsumed_tail
        out_total += len(out)
        _check_expansion(name, out_total, fed - len(data), max_bytes, max_ratio, ratio_free)
        if out:
            yield out
    if not d.eof:
        out = d.flush()
        out_total += len(out)
        _check_expansion(name, out_total, fed, max_bytes, max_ratio, ratio_free)
        if out:
            yield out
        if not d.eof:
            raise DataError(f"{name}: damaged gzip file (it ends before its compressed data do); "
                            "download or compress it again.")


def _check_expansion(name, out_total, consumed, max_bytes, max_ratio, ratio_free):
    if out_total > max_bytes:
        raise DataError(f"{name}: decompresses to more than {max_bytes // 1024 ** 2:,} MiB of text; "
                        "use a subset of the rows.")
    if out_total > ratio_free and out_total > max_ratio * max(consumed, 1):
        raise DataError(f"{name}: gzip data expanding more than {max_ratio:,.0f}-fold ({consumed:,} bytes "
                        f"already gave {out_total:,}); refused as a possible gzip bomb. If the file is "
                        "genuine, decompress it and open the text file.")


# ------------------------------------------------------------------ encodings
def _decoded(pieces: Iterable[bytes], name: str, notes: list) -> Iterator[bytes | str]:
    """The pieces as bytes of an 8-bit encoding (UTF-16 transcoded to UTF-8 on the way); the first item is the
    codec's name (a str) when it is known already (``"utf-8"`` after transcoding)."""
    head = b""
    it = iter(pieces)
    for piece in it:
        head += piece
        if len(head) >= HEAD:
            break
    codec = _sniff_encoding(head, name, notes)
    if codec is None:
        yield head
        yield from it
        return
    yield "utf-8"
    decoder = codecs.getincrementaldecoder(codec)("strict")
    try:
        yield decoder.decode(head).encode("utf-8")
        for piece in it:
            yield decoder.decode(piece).encode("utf-8")
        yield decoder.decode(b"", True).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: is not valid {codec.upper()} text (byte {exc.start:,} of a piece: {exc.reason}); "
                        "save it as UTF-8.") from None


def _sniff_encoding(head: bytes, name: str, notes: list) -> str | None:
    """``"utf-16"`` (byte-order mark), ``"utf-16-le"``/``"utf-16-be"`` (no mark), or None for an 8-bit text."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(codecs.BOM_UTF32_LE):
        notes.append("Read as UTF-16 text.")
        return "utf-16"
    if b"\x00" not in head:
        return None
    sample = head[: len(head) - len(head) % 2]
    even, odd = sample[0::2], sample[1::2]
    half = max(len(even), 1)
    for zeros, other, codec, order in ((odd, even, "utf-16-le", "little"), (even, odd, "utf-16-be", "big")):
        if zeros.count(0) >= 0.9 * half and other.count(0) <= 0.02 * half:
            notes.append(f"Read as UTF-16 text ({order}-endian, without a byte-order mark).")
            return codec
    raise DataError(f"{name}: looks like a binary file, not a text table (it holds zero bytes and is not UTF-16 "
                    f"text); Clusterlab reads {SUPPORTED}.")


def _decode_whole(raw: bytes, codec: str | None, name: str, notes: list) -> str:
    if codec is not None:
        return raw.decode(codec)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        notes.append("The file is not UTF-8; it was read as Latin-1.")
        return raw.decode("latin-1")


# ------------------------------------------------------------------ counting rows on the bytes
class _RowCounter:
    """Keeps the pieces and counts the rows in them (lines neither blank nor ``#`` comments) as they come."""

    def __init__(self, name: str, keep: bool = True):
        self.name = name
        self.keep = keep  # False: pieces are dropped once the first row's width is known
        self.pieces: list[bytes] = []
        self.size = 0
        self.rows = 0
        self.width: int | None = None  # values in the first row, once it is complete (0: not known)
        self.at_line_start = True

    def add(self, piece: bytes) -> None:
        if not piece:
            return
        if self.keep or self.width is None:
            self.pieces.append(piece)
        self.size += len(piece)
        self.rows += self._count(piece)
        if self.width is None and self.rows:
            self.width = _first_row_width(self.pieces, self.size)
        if not self.keep and self.width is not None:
            self.pieces = []
        # one row may be a header: refuse only what is over the limit whichever it is
        if self.rows > MAX_POINTS + 1 or self.width:
            check_size(self.name, self.rows - 1, max(self.width or 1, 1))

    def _count(self, piece: bytes) -> int:
        """Rows starting in ``piece``: line starts whose first character after blanks is not a newline or ``#``."""
        a = np.frombuffer(piece, np.uint8)
        starts = np.flatnonzero(a == 10) + 1
        if self.at_line_start:
            starts = np.concatenate([[0], starts])
        self.at_line_start = piece.endswith(b"\n")
        starts = starts[starts < a.size]
        pos = starts
        while True:  # step over leading blanks, a position at a time, for the lines that have them
            blank = np.isin(a[pos], _SPACE)
            if not blank.any():
                break
            pos = np.where(blank, pos + 1, pos)
            pos = pos[pos < a.size]  # blanks to the end of the piece: not counted (never too many rows)
        c = a[pos]
        return int(np.count_nonzero((c != 10) & (c != 35)))  # neither a newline nor "#"

    def join(self) -> bytes:
        raw = b"".join(self.pieces)
        self.pieces = []
        return raw


def _first_row_width(pieces: list[bytes], size: int) -> int | None:
    """The number of values in the first row, once its line is complete (None: not yet; 0: not told, e.g. a
    first line over 16 MiB)."""
    if size > 16 * CHUNK:
        return 0
    head = b"".join(pieces)
    pos = 0
    while True:
        end = head.find(b"\n", pos)
        if end < 0:
            return None
        line = head[pos:end].strip()
        if line and not line.startswith(b"#"):
            for delim in (b"\t", b",", b";"):
                if delim in line:
                    return line.count(delim) + 1
            return len(line.split())
        pos = end + 1
