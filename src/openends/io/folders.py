"""Saving a folder atomically: build it in a temporary folder beside the target, then swap.

Example:
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "model"
    >>> work = Path(tempfile.mkdtemp(dir=target.parent))
    >>> _ = (work / "weights.json").write_text("{}")
    >>> publish_folder(work, target)
    >>> sorted(path.name for path in target.iterdir())
    ['weights.json']
"""

from __future__ import annotations

import shutil
from pathlib import Path


def publish_folder(work: Path, folder: Path) -> None:
    """Give ``work`` the permissions of any new output (the user's umask), then move it to
    ``folder``; an old ``folder`` is removed only after the move succeeded (and put back if
    it failed)."""
    from openends.io.write import current_umask

    mask = current_umask()
    work.chmod(0o777 & ~mask)  # mkdtemp folders (and some writers' files) are private
    for path in work.rglob("*"):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~mask)
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{work.name}")
        folder.rename(old)
    try:
        work.rename(folder)
    except OSError:
        if old is not None:
            old.rename(folder)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
