"""The output folder of a run: checked, built aside, and swapped in only when complete.

A run writes into a staging folder beside the output folder (``.NAME.run-XXXX``)
and :func:`openends.io.folders.publish_folder` moves it into place at the end. A
failed or interrupted run removes its staging folder and leaves the previous
outputs as they were; a staging folder left by a killed run is removed by the
next run. One run per output folder at a time (a lock file in the cache).

Example:
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> with staged_output(root / "out", protected=[root / "project.toml"],
    ...                    locks=root / "locks") as staging:
    ...     _ = (staging / "codes.csv").write_text("response_id,theme\\n")
    >>> sorted(path.name for path in (root / "out").iterdir())
    ['codes.csv']
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from openends.errors import ConfigError
from openends.io.folders import publish_folder

MANIFEST = "manifest.json"


def check_output_folder(output: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder a run could not replace without destroying something: one
    that holds (or is) the project file or an input, or a folder of other files that
    ``openends run`` did not write (it has no ``manifest.json``)."""
    output = output.resolve()
    for path in protected:
        path = path.resolve()
        if path == output or output in path.parents:
            raise ConfigError(
                f"output: the output folder {output} holds {path.name}, which a run would "
                "replace; choose a folder of its own, e.g. output = \"out\"")
    if output.exists() and not output.is_dir():
        raise ConfigError(f"output: {output} exists and is not a folder; choose another")
    if output.is_dir() and any(output.iterdir()) and not (output / MANIFEST).is_file():
        raise ConfigError(
            f"output: {output} holds files that openends run did not write (no {MANIFEST}); "
            "choose an empty or new folder")


@contextlib.contextmanager
def staged_output(output: Path, *, locks: Path, protected: Iterable[Path] = (),
                  keep: Iterable[str] = ()) -> Iterator[Path]:
    """A staging folder that replaces ``output`` when the block ends normally.

    ``keep`` names files of the previous output copied into the staging folder first
    (for a run of some steps only, whose other outputs stay as they were). The lock
    that keeps two runs from writing one folder lives in ``locks``, so nothing but the
    staging folder is ever written outside ``output``.
    """
    output = output.resolve()
    check_output_folder(output, protected)
    output.parent.mkdir(parents=True, exist_ok=True)
    with _locked(output, locks):
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
def _locked(output: Path, locks: Path) -> Iterator[None]:
    locks.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = hashlib.sha256(str(output).encode("utf-8")).hexdigest()[:32]
    lock_path = locks / f"{name}.lock"
    with lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(f"another run is writing {output}; wait for it to finish"
                              ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_stale(output: Path) -> None:
    """Staging folders of killed runs (the lock is held, so no run is using them); an old
    output a killed swap left aside is put back when the output itself is missing."""
    for stale in output.parent.glob(f".{output.name}.run-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for old in sorted(output.parent.glob(f".{output.name}.old-*")):
        if not output.exists():
            old.rename(output)
        else:
            shutil.rmtree(old, ignore_errors=True)
