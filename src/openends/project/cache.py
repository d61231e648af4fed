"""Results of pipeline steps cached on disk by content hash, so a re-run does no heavy work.

An entry is a folder ``<directory>/<step>/<key>/`` holding Parquet tables, JSON
and any files a step saved (e.g. a topic model). ``key`` is a sha256 over the
step's inputs (tables hashed by content, files by their bytes), its settings and
the openends version, so anything that could change a result changes the key.
Entries are written to a temporary folder and renamed into place: an entry is
whole or absent. Folders are readable by their owner only, as cached tables hold
answers.

Example:
    >>> import tempfile
    >>> import pandas as pd
    >>> cache = StepCache(Path(tempfile.mkdtemp()))
    >>> table = pd.DataFrame({"response_id": ["a"], "status": ["ok"]})
    >>> key = cache.key("clean", frame_hash(table), {"redact": True})
    >>> cache.get(key) is None
    True
    >>> with cache.put(key) as folder:
    ...     write_frames(folder, {"cleaned": table})
    >>> read_frames(cache.get(key))["cleaned"].equals(table)
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from openends.io.write import json_scalar

_READ_SIZE = 1 << 20
_COMPLETE = ".complete"
FORMAT = 3
"""The layout of entries; a new layout gets new keys, so old entries are never misread."""


class StepCache:
    """Step results under ``directory``, one folder per key."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._versions: dict[str, str] | None = None

    def key(self, step: str, *parts: Any) -> str:
        """The key of ``step`` for JSON-able ``parts`` (hashes, settings) and the versions of
        openends and of the packages that compute results."""
        if self._versions is None:
            from openends.project.manifest import package_versions

            self._versions = package_versions()
        text = json.dumps([step, FORMAT, self._versions, *parts], sort_keys=True,
                          default=str)
        return f"{step}/{hashlib.sha256(text.encode('utf-8')).hexdigest()[:32]}"

    def get(self, key: str) -> Path | None:
        """The folder of a complete entry, or None."""
        folder = self.directory / key
        return folder if (folder / _COMPLETE).is_file() else None

    def entry(self, key: str, fill: Callable[[Path], None]) -> tuple[Path, bool]:
        """The folder of ``key`` and whether it was cached; when it was not, ``fill`` writes
        it first. Results are always read back from the entry, so a first run and a re-run
        see the very same tables."""
        found = self.get(key)
        if found is not None:
            return found, True
        with self.put(key) as folder:
            fill(folder)
        made = self.get(key)
        if made is None:  # pragma: no cover - put() completes an entry or raises
            raise RuntimeError(f"the cache entry {key} was not written")
        return made, False

    @contextlib.contextmanager
    def put(self, key: str) -> Iterator[Path]:
        """A folder to fill; it becomes the entry of ``key`` when the block ends normally."""
        target = self.directory / key
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
        try:
            yield work
            (work / _COMPLETE).write_text("", encoding="utf-8")
            if self.get(key) is None:  # another run may have written it meanwhile: keep that
                shutil.rmtree(target, ignore_errors=True)
                os.replace(work, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)



def frame_hash(frame: pd.DataFrame) -> str:
    """A sha256 of a table's column names, dtypes and values (not its index).

    Example:
        >>> a = pd.DataFrame({"x": [1, 2]})
        >>> frame_hash(a) == frame_hash(a.copy()), frame_hash(a) == frame_hash(a[::-1])
        (True, False)
    """
    digest = hashlib.sha256()
    digest.update(json.dumps([[str(name), str(dtype)] for name, dtype in
                              frame.dtypes.items()]).encode("utf-8"))
    values = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    digest.update(values.tobytes())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    """The sha256 of a file's bytes, or of every file of a folder (names and bytes)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        with file.open("rb") as stream:
            while chunk := stream.read(_READ_SIZE):
                digest.update(chunk)
    return digest.hexdigest()


def write_frames(folder: Path, frames: Mapping[str, pd.DataFrame | None],
                 meta: Mapping[str, Any] | None = None) -> None:
    """``name.parquet`` for each table (None tables are left out) and ``meta.json``."""
    for name, frame in frames.items():
        if frame is not None:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "meta.json").write_text(
        json.dumps(dict(meta or {}), default=json_scalar), encoding="utf-8")


def read_frames(folder: Path | None) -> dict[str, pd.DataFrame]:
    """The tables :func:`write_frames` wrote, by name."""
    if folder is None:
        return {}
    return {path.stem: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}


def read_meta(folder: Path) -> dict[str, Any]:
    """The ``meta.json`` :func:`write_frames` wrote."""
    meta: dict[str, Any] = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return meta
