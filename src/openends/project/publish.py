"""The output folder of a run: checked, built aside, and swapped in only when complete.

A run writes into a staging folder beside the output folder (``.NAME.run-XXXX``)
and :func:`openends.io.folders.publish_folder` moves it into place at the end. A
failed or interrupted run removes its staging folder and leaves the previous
outputs as they were; a staging folder left by a killed run is removed by the
next run. One run per output folder at a time: a lock file beside it
(``.NAME.lock``) while it runs. Nothing else is written outside the output folder,
and nothing is left there when a run ends.

A folder is replaced only when it is empty or holds exactly what an earlier run
wrote there (every file listed in its ``manifest.json``), so a run never deletes
files it did not write.

Example:
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with staged_output(root / "out", protected=[root / "project.toml"]) as staging:
    ...     _ = (staging / "codes.csv").write_text("response_id,theme\\n")
    >>> sorted(path.name for path in (root / "out").iterdir())
    ['codes.csv']
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from openends.errors import ConfigError
from openends.io.folders import publish_folder

MANIFEST = "manifest.json"


def check_output_folder(output: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder a run could not replace without destroying something: one
    that holds (or is, or lies inside a folder that is) the project file, an input or the
    cache, or a folder of files that ``openends run`` did not write."""
    output = output.resolve()
    for path in protected:
        path = path.resolve()
        inside = path.is_dir() and path in output.parents
        if path == output or output in path.parents or inside:
            raise ConfigError(
                f"output: the output folder {output} "
                f"{'lies inside' if inside else 'holds'} {path}, which a run would replace; "
                "choose a folder of its own, e.g. output = \"out\"")
    if output.exists() and not output.is_dir():
        raise ConfigError(f"output: {output} exists and is not a folder; choose another")
    if output.is_dir() and any(output.iterdir()):
        strangers = _not_written_by_a_run(output)
        if strangers:
            raise ConfigError(
                f"output: {output} holds files that openends run did not write "
                f"({', '.join(strangers[:3])}); choose an empty or new folder")


def _not_written_by_a_run(folder: Path) -> list[str]:
    """Files of ``folder`` its ``manifest.json`` does not list (all, without a manifest)."""
    files = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                   if not path.is_dir())
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        listed = {entry["path"] for entry in manifest["outputs"]} | {MANIFEST}
        if "openends" not in manifest:
            raise KeyError("openends")
    except (OSError, ValueError, KeyError, TypeError):
        return files
    return [name for name in files if name not in listed]


@contextlib.contextmanager
def staged_output(output: Path, *, protected: Iterable[Path] = (),
                  keep: Iterable[str] = ()) -> Iterator[Path]:
    """A staging folder that replaces ``output`` when the block ends normally.

    ``keep`` names files of the previous output copied into the staging folder first
    (for a run of some steps only, whose other outputs stay as they were).
    """
    output = output.resolve()
    check_output_folder(output, protected)
    output.parent.mkdir(parents=True, exist_ok=True)
    with _locked(output):
        _remove_stale(output)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.run-", dir=output.parent))
        try:
            for name in keep:
                source = output / name
                if source.is_dir():
                    shutil.copytree(source, staging / name)
                elif source.is_file():
                    shutil.copy2(source, staging / name)
            yield staging
            publish_folder(staging, output)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _locked(output: Path) -> Iterator[None]:
    """Held while a run writes ``output``, whatever cache it uses: a lock file beside it,
    removed when the run ends. A run that locked a file another run had just removed
    sees that the path no longer names it, and locks the new file instead."""
    path = output.parent / f".{output.name}.lock"
    while True:
        lock = path.open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            raise ConfigError(f"another run is writing {output}; wait for it to finish"
                              ) from None
        if _names(path, lock):
            break
        lock.close()  # locked a file a finished run had removed: try the new one
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # while still locked: a waiting run then retries
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


def _names(path: Path, lock: IO[str]) -> bool:
    """Whether ``path`` still names the open file ``lock``."""
    try:
        return os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino
    except FileNotFoundError:
        return False


def _remove_stale(output: Path) -> None:
    """Staging folders of killed runs (the lock is held, so no run is using them); an old
    output a killed swap left aside is put back when the output itself is missing."""
    for path in output.parent.iterdir():
        if path.name.startswith(f".{output.name}.run-"):
            shutil.rmtree(path, ignore_errors=True)
    for old in sorted(path for path in output.parent.iterdir()
                      if path.name.startswith(f".{output.name}.old-")):
        if not output.exists():
            old.rename(output)
        else:
            shutil.rmtree(old, ignore_errors=True)
