"""What every embedder shares: the interface, row normalisation, folders and progress.

Example:
    >>> print(normalise_rows([[3.0, 4.0], [0.0, 0.0]]))
    [[0.6 0.8]
     [0.  0. ]]
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from rich.console import Console


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors; chosen by name with :func:`openends.embed.get_embedder`.

    ``identity`` changes whenever the weights or fitted state change, so caches
    key on it. ``embed`` returns a float32 array of shape ``(len(texts),
    dimensions)`` in input order, each row of length 1 (rows of texts with no
    known words stay zero).
    """

    name: str

    @property
    def identity(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def normalise_rows(vectors: npt.ArrayLike) -> np.ndarray:
    """Rows scaled to length 1 as float32; all-zero rows stay zero."""
    array = np.array(vectors, dtype=np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    np.divide(array, norms, out=array, where=norms > 0)
    return array


def checked_vectors(vectors: npt.ArrayLike, n_texts: int, embedder: Embedder) -> np.ndarray:
    """An embedder's output as a float32 array, after checking it has one row per text."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim != 2 or array.shape[0] != n_texts:
        raise ValueError(f"embedder {embedder.name!r} returned shape {array.shape} "
                         f"for {n_texts} texts")
    return array


def default_cache_dir() -> Path:
    """Where openends keeps built models and cached embeddings.

    ``$OPENENDS_CACHE`` if set, else ``$XDG_CACHE_HOME/openends``, else
    ``~/.cache/openends``.

    Example:
        $ OPENENDS_CACHE=/srv/openends openends models build   # builds in /srv/openends/models
    """
    if os.environ.get("OPENENDS_CACHE"):
        return Path(os.environ["OPENENDS_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "openends"
    return Path.home() / ".cache" / "openends"


def default_models_dir() -> Path:
    """Where built embedders go unless a folder is given: ``default_cache_dir() / "models"``."""
    return default_cache_dir() / "models"


def offline() -> None:
    """Tell the Hugging Face libraries not to use the network; call before importing them."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@contextlib.contextmanager
def quiet_libraries() -> Iterator[None]:
    """Silence the progress bars and load reports that transformers and model2vec print.

    Our own progress display keeps working: it holds the real stderr from before.
    """
    hf_logging = importlib.import_module("transformers.utils.logging")
    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def _stderr_console(enabled: bool) -> Console | None:
    """A console on the real stderr when progress is wanted and stderr is a terminal."""
    if not enabled:
        return None
    from rich.console import Console

    console = Console(file=sys.stderr)
    return console if console.is_terminal else None


@contextlib.contextmanager
def progress_bar(description: str, total: int, *, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A transient progress bar on stderr; yields ``advance(n)``.

    Silent unless enabled and stderr is a terminal.
    """
    console = _stderr_console(enabled)
    if console is None:
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def status(description: str, *, enabled: bool) -> Iterator[Callable[[str], None]]:
    """A transient spinner with the time elapsed on stderr; yields ``update(description)``.

    Silent unless enabled and stderr is a terminal.
    """
    console = _stderr_console(enabled)
    if console is None:
        yield lambda description: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as spinner:
        task = spinner.add_task(description, total=None)
        yield lambda description: spinner.update(task, description=description)


def package_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None (e.g. running from a source tree).

    Example:
        >>> package_version("no-such-distribution") is None
        True
    """
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def encode_in_batches(texts: Sequence[str], encode: Callable[[list[str]], npt.ArrayLike], *,
                      dimensions: Callable[[], int], batch: int, description: str,
                      progress: bool) -> np.ndarray:
    """``encode`` applied batch by batch with a progress bar; rows normalised, as float32.

    ``dimensions`` is called only for an empty input (it may load a model).

    Example:
        >>> encode_in_batches(["a", "bb", "ccc"], lambda b: [[len(t), 0] for t in b],
        ...                   dimensions=lambda: 2, batch=2, description="", progress=False)
        array([[1., 0.],
               [1., 0.],
               [1., 0.]], dtype=float32)
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, dimensions()), dtype=np.float32)
    parts = []
    with progress_bar(description, len(texts), enabled=progress) as advance:
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            parts.append(np.asarray(encode(chunk), dtype=np.float32))
            advance(len(chunk))
    return normalise_rows(np.concatenate(parts))
