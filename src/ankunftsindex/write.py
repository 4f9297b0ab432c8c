"""Atomic Parquet/CSV writers with provenance metadata.

A write goes to a temporary file beside the target, is flushed and fsynced, then renamed
over the target with ``os.replace``: readers see the old file or the new one, never a
partial one, and a failed run leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import polars as pl

from .errors import OutputError

FORMATS = ("parquet", "csv")


def format_for(path: Path, fmt: str | None) -> str:
    """The output format: given explicitly, or from the file's suffix."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise OutputError(f"unknown output format {fmt!r}", code="output-format",
                              hint="use --format parquet or --format csv")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("parquet", "pq"):
        return "parquet"
    if suffix == "csv":
        return "csv"
    raise OutputError(
        f"{path}: cannot tell the output format from the suffix {path.suffix!r}",
        code="output-format", hint="name the file .parquet or .csv, or pass --format")


def check_target(path: Path, inputs: list[Path], spec: Path | None = None) -> None:
    """Refuse an output path that is one of the inputs (or the spec or its sidecar)."""
    target = path.resolve()
    for source in [*inputs, *([spec] if spec is not None else [])]:
        if source.resolve() in (target, sidecar_path(target)):
            raise OutputError(f"{path}: the output would overwrite the input {source}",
                              code="output-overwrites-input",
                              hint="write the result to another file")


def sidecar_path(path: Path) -> Path:
    """Where the provenance of a CSV output goes (CSV has no place for metadata)."""
    return path.with_name(path.name + ".meta.json")


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """Open a temporary file beside ``path``; on success it replaces ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise OutputError(f"{path}: the folder {folder} does not exist",
                          code="output-no-folder", hint="create the folder first") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write in {folder}: {exc.strerror}",
                          code="output-unwritable",
                          hint="check the folder's permissions and free space") from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _fsync_folder(folder)
    except OSError as exc:
        raise OutputError(f"{path}: write failed: {exc.strerror or exc}",
                          code="output-write-failed",
                          hint="check free space and permissions; the previous file is "
                          "untouched") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, writer: Callable[[IO[bytes]], None]) -> None:
    """Run ``writer`` on a temporary file and move it into place."""
    with atomic_file(path) as fh:
        writer(fh)


def write_parquet(frame: pl.DataFrame, path: Path, metadata: dict[str, str]) -> None:
    """Parquet with the provenance in the file's key-value metadata (zstd, no timestamps)."""
    import pyarrow.parquet as pq

    table = frame.to_arrow()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    write_atomic(path, lambda fh: pq.write_table(table, fh, compression="zstd"))


def write_csv(frame: pl.DataFrame, path: Path, metadata: dict[str, str]) -> None:
    """UTF-8 CSV with ``,`` and decimal points; provenance in ``<path>.meta.json``."""
    meta = {k.removeprefix("ankunftsindex."): _maybe_json(v) for k, v in metadata.items()}
    body = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(sidecar_path(path), lambda fh: fh.write(body.encode("utf-8")))
    write_atomic(path, lambda fh: frame.write_csv(fh))


def _maybe_json(value: str) -> object:
    try:
        return json.loads(value)
    except ValueError:
        return value


def write_output(frame: pl.DataFrame, path: str | Path, metadata: dict[str, str],
                 fmt: str | None = None) -> Path:
    """Write the output table atomically in the given or implied format."""
    p = Path(path)
    kind = format_for(p, fmt)
    if kind == "parquet":
        write_parquet(frame, p, metadata)
    else:
        write_csv(frame, p, metadata)
    return p


def read_metadata(path: str | Path) -> dict[str, str]:
    """The provenance of an output file (Parquet metadata or the CSV's sidecar)."""
    p = Path(path)
    if format_for(p, None) == "parquet":
        import pyarrow.parquet as pq

        raw = pq.read_schema(p).metadata or {}
        return {k.decode(): v.decode() for k, v in raw.items()
                if k.decode().startswith("ankunftsindex.")}
    meta = json.loads(sidecar_path(p).read_text(encoding="utf-8"))
    return {f"ankunftsindex.{k}": v if isinstance(v, str) else
            json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in meta.items()}
