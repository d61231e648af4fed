"""Partition files: the per-answer tables of a Dask run, one Parquet file per partition.

A partition is a run of consecutive answers of one wave file (all answers of a file row
together, so a respondent is never split). Every per-answer step reads its partition
files and writes new ones; a file is written to a temporary name and renamed, so a task
that is run again (a worker was lost) replaces it whole and a reader never sees half a
file. Partition ``i`` of every step holds the same answers in the same order, so the
global order is the order of the partitions.

Example:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = part_path(folder, "read", 3)
    >>> path.name
    'part-00003.parquet'
    >>> write_part(pd.DataFrame({"response_id": ["a", "b"]}), path)
    >>> read_part(path)["response_id"].tolist()
    ['a', 'b']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from openends.io.write import current_umask


@dataclass(frozen=True)
class Partition:
    """One partition: its number, the wave it belongs to, its answers and where they start
    in the whole project (the position of its first answer)."""

    index: int
    wave: int
    rows: int
    start: int


def part_path(folder: Path, step: str, index: int, suffix: str = ".parquet") -> Path:
    """Where partition ``index`` of ``step`` lives under the work ``folder``."""
    return folder / step / f"part-{index:05d}{suffix}"


def write_part(frame: pd.DataFrame, path: Path) -> None:
    """Write one partition atomically (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix,
                                    dir=path.parent)
    os.close(handle)
    try:
        os.chmod(name, 0o666 & ~current_umask())  # published parts: as the umask says
        if path.suffix == ".csv":
            frame.to_csv(name, index=False, encoding="utf-8")
        else:
            frame.to_parquet(name, index=False)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def read_part(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One partition's table (only ``columns`` when given)."""
    return pd.read_parquet(path, columns=list(columns) if columns is not None else None)


def concat_csv(parts: Sequence[Path], target: Path) -> int:
    """Join CSV parts written with the same columns into ``target`` (the header once), a
    block of bytes at a time; returns the number of bytes written."""
    written = 0
    with open(target, "wb") as out:
        for number, part in enumerate(parts):
            with open(part, "rb") as source:
                header = source.readline()
                if number == 0:
                    out.write(header)
                    written += len(header)
                while block := source.read(1 << 20):
                    out.write(block)
                    written += len(block)
    return written


def write_dataset(parts: Sequence[Path], target: Path) -> None:
    """Move Parquet parts into the folder ``target`` as one dataset
    (``target/part-NNNNN.parquet``), every part with the same schema: a column that is
    all missing in one part takes the type the others give it, so readers see one table.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(part) for part in parts]
    unified = pa.unify_schemas([schema.remove_metadata() for schema in schemas],
                               promote_options="permissive")
    target.mkdir(parents=True, exist_ok=True)
    for number, (part, schema) in enumerate(zip(parts, schemas, strict=True)):
        destination = target / f"part-{number:05d}.parquet"
        if schema.remove_metadata().equals(unified):
            shutil.move(part, destination)
            continue
        table = pq.read_table(part)
        fields = [unified.field(name) for name in table.column_names]
        cast = table.cast(pa.schema(fields, metadata=schema.metadata))
        pq.write_table(cast, destination)
        os.chmod(destination, 0o666 & ~current_umask())
        Path(part).unlink()
