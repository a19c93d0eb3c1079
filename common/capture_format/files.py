"""One capture (or ground-truth) object's bytes -> its JSON Lines, or one reason it is unreadable.

Files arrive as SageMaker writes them (plain UTF-8 JSON Lines) but also as people and tools
rewrite them: gzip-compressed (detected by content, the magic bytes ``1f 8b``, whatever the
key's suffix), with a UTF-8 byte-order mark, or not text at all. A file that cannot be read
as text raises :class:`FileError` *before* any line is produced, so the caller quarantines the
file as one item instead of inventing garbage "lines" from compressed bytes.

The whole object is decoded at once (capture files are a few MB): a file that turns out to be
corrupt half-way therefore never contributes half of its records.
"""

from __future__ import annotations

import gzip
import zlib

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
# Formats that are recognisably not JSON Lines text; named in the reason.
_OTHER_FORMATS = (
    (b"BZh", "bzip2-compressed"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
    (b"PAR1", "a Parquet file"),
)
SUPPORTED = "plain or gzip-compressed UTF-8 JSON Lines"


class FileError(ValueError):
    """A whole object cannot be read as JSON Lines; the message is the quarantine reason."""


def file_lines(data: bytes) -> list[bytes]:
    """The lines (without line endings) of one object, decompressed and without a BOM.

    Raises :class:`FileError` when the object is corrupt gzip, another compression or binary
    format, or does not start as UTF-8 text. A single undecodable line further down is left
    to the line parser, which rejects that line alone.
    """
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise FileError(f"gzip-compressed but does not decompress ({exc})") from None
    for magic, what in _OTHER_FORMATS:
        if data.startswith(magic):
            raise FileError(f"the object is {what}; expected {SUPPORTED}")
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileError(f"binary content (a NUL byte at offset {nul}); expected {SUPPORTED}")
    first = data[: data.find(b"\n")] if b"\n" in data else data
    try:
        first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(
            f"not UTF-8 text (byte 0x{first[exc.start]:02x} at offset {exc.start}); "
            f"expected {SUPPORTED}"
        ) from None
    return data.splitlines()
