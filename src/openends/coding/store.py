"""Saving and loading trained coders, in formats that run no code when read.

A coder folder holds ``openends-coder.json`` (the manifest: format version, options,
themes, thresholds, cross-validated quality, the embedder's name and identity, the
package versions that made it, and the sha256 of every other file),
``vocabulary.json`` (the word and character n-gram vocabularies) and NumPy arrays
read with ``allow_pickle=False``: TF-IDF weights (``word_idf.npy``,
``char_idf.npy``), the per-theme models (``coef.npy``, ``intercept.npy``) and the
confidence model and curve (``confidence.*.npy``); a fitted ``tfidf`` embedder adds
``embedder/``. The manifest carries a checksum of itself, so an edited manifest or a
changed file is refused. The folder is written beside its final place and renamed
into it whole, so a failed save never leaves half a coder.

Loading checks the format version and that the embedder gives the vectors the coder
was trained on (its identity: e.g. a rebuilt static model is refused).

Example (``coder`` fitted by :class:`~openends.coding.trained.TrainedCoder`)::

    save_trained_coder(coder, Path("models/coder"))
    same = load_trained_coder(Path("models/coder"))
    same.code(responses)
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from openends.coding.trained import (
    CHAR_OPTIONS,
    WORD_OPTIONS,
    CoderQuality,
    Confidence,
    TrainedCoder,
)
from openends.embed.base import package_version
from openends.errors import ModelError, NotFittedError, OutputExistsError
from openends.io.folders import publish_folder

if TYPE_CHECKING:
    from openends.embed import Embedder, EmbeddingCache

FORMAT = 1
KIND = "openends-trained-coder"
MANIFEST = "openends-coder.json"
VOCABULARY = "vocabulary.json"
EMBEDDER_FOLDER = "embedder"
_ARRAYS = ("word_idf", "char_idf", "coef", "intercept")
_RETRAIN = "train the coder again with `openends train`"


def save_trained_coder(coder: TrainedCoder, folder: Path, *, force: bool = False) -> Path:
    """Write ``coder`` into ``folder`` and return it.

    An existing non-empty folder is replaced only with ``force``, and only when it
    holds a saved coder (so a mistyped ``-o`` never deletes other files); the old
    coder goes only once the new one is complete.
    """
    if not coder.is_fitted:
        raise NotFittedError("the trained coder", "fit it before saving")
    folder = Path(folder)
    check_output_folder(folder, force=force)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _write(coder, work)
        publish_folder(work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def check_output_folder(folder: Path, *, force: bool) -> None:
    """Raise unless ``folder`` may receive a coder: absent or empty, or (with ``force``) a
    saved coder."""
    folder = Path(folder)
    if not folder.exists():
        return
    if not folder.is_dir():
        raise ModelError(f"{folder}: exists and is not a folder; choose another -o path")
    if not any(folder.iterdir()):
        return
    if not force:
        raise OutputExistsError(folder)
    if not (folder / MANIFEST).is_file():
        raise ModelError(f"{folder}: is not empty and holds no trained coder, so --force will "
                         "not replace it; choose another -o path")


def load_trained_coder(folder: Path, *, embedder: Embedder | None = None,
                       models_dir: Path | None = None,
                       cache: EmbeddingCache | None = None) -> TrainedCoder:
    """A fitted :class:`TrainedCoder` read back from ``folder``; no pickle involved.

    ``embedder`` replaces the one named in the folder (it must be the same model:
    its identity is checked); ``models_dir`` is where the static model is looked for.
    """
    folder = Path(folder)
    manifest = _manifest(folder)
    _verify_files(folder, manifest)
    try:
        vocabulary = json.loads((folder / VOCABULARY).read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
        confidence = Confidence(
            **{name: np.load(folder / f"confidence.{name}.npy", allow_pickle=False)
               for name in Confidence.ARRAYS},
            n_total=int(manifest["confidence_answers"]))
        options = manifest["options"]
        coder = TrainedCoder(embedder=manifest["embedder"], folds=int(options["folds"]),
                             min_examples=int(options["min_examples"]), seed=int(options["seed"]),
                             C=float(options["C"]), at_least_one=options["at_least_one"],
                             models_dir=models_dir, cache=cache)
        coder.themes_ = [str(theme) for theme in manifest["themes"]]
        coder.too_few_ = {str(theme): int(count) for theme, count in manifest["too_few"].items()}
        coder.thresholds_ = {theme: float(manifest["thresholds"][theme])
                             for theme in coder.themes_}
        coder.at_least_one_ = bool(manifest["at_least_one"])
        coder.questions_ = [str(question) for question in manifest["questions"]]
        coder.quality_ = CoderQuality.from_dict(manifest["quality"])
        coder.word_ = _vectorizer(WORD_OPTIONS, vocabulary["word"], arrays["word_idf"])
        coder.char_ = _vectorizer(CHAR_OPTIONS, vocabulary["char"], arrays["char_idf"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ModelError(f"{folder}: damaged trained coder ({error}); {_RETRAIN}") from None
    width = len(coder.word_.vocabulary_) + len(coder.char_.vocabulary_) + len(coder.questions_) \
        + int(manifest["embedder_dimensions"] or 0)
    if arrays["coef"].shape != (len(coder.themes_), width) or \
            arrays["intercept"].shape != (len(coder.themes_),):
        raise ModelError(f"{folder}: the saved arrays do not match its themes and vocabulary; "
                         f"{_RETRAIN}")
    coder.coef_, coder.intercept_ = arrays["coef"], arrays["intercept"]
    coder.confidence_ = confidence
    coder.embedder_identity_ = manifest["embedder_identity"]
    coder.embedder_ = _embedder(folder, manifest, embedder, models_dir)
    return coder


def _write(coder: TrainedCoder, folder: Path) -> None:
    for name, array in (("word_idf", coder.word_.idf_), ("char_idf", coder.char_.idf_),
                        ("coef", coder.coef_), ("intercept", coder.intercept_)):
        np.save(folder / f"{name}.npy", np.asarray(array), allow_pickle=False)
    for name in Confidence.ARRAYS:
        np.save(folder / f"confidence.{name}.npy", np.asarray(getattr(coder.confidence_, name)),
                allow_pickle=False)
    vocabulary = {"word": [str(term) for term in coder.word_.get_feature_names_out()],
                  "char": [str(term) for term in coder.char_.get_feature_names_out()]}
    (folder / VOCABULARY).write_text(json.dumps(vocabulary, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    embedder = coder.embedder_
    if embedder is not None and hasattr(embedder, "save"):  # a fitted state (tfidf)
        embedder.save(folder / EMBEDDER_FOLDER)
    spec = coder.embedder if isinstance(coder.embedder, str | None) else coder.embedder.name
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": KIND,
        "options": {"folds": coder.folds, "min_examples": coder.min_examples,
                    "seed": coder.seed, "C": coder.C, "at_least_one": coder.at_least_one},
        "themes": coder.themes_,
        "too_few": coder.too_few_,
        "thresholds": coder.thresholds_,
        "at_least_one": coder.at_least_one_,
        "questions": coder.questions_,
        "embedder": spec,
        "embedder_identity": coder.embedder_identity_,
        "embedder_dimensions": embedder.dimensions if embedder is not None else None,
        "confidence_answers": coder.confidence_.n_total,
        "quality": coder.quality_.to_dict(),
        "versions": {name: package_version(name)
                     for name in ("openends", "scikit-learn", "numpy", "scipy")},
        "files": {path.relative_to(folder).as_posix(): _sha256(path)
                  for path in sorted(folder.rglob("*")) if path.is_file()},
    }
    manifest["checksum"] = _checksum(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n",
                                   encoding="utf-8")


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise ModelError(f"{folder}: not a trained coder folder ({MANIFEST} is missing); "
                         "write one with `openends train ... -o DIR`")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: damaged ({error}); {_RETRAIN}") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != KIND:
        raise ModelError(f"{path}: not a trained coder manifest; {_RETRAIN}")
    if manifest.get("format") != FORMAT:
        raise ModelError(f"{path}: format {manifest.get('format')!r} is not one this version "
                         f"of openends reads ({FORMAT}); {_RETRAIN}")
    if manifest.get("checksum") != _checksum(manifest):
        raise ModelError(f"{path}: was changed after the coder was saved (its checksum does "
                         f"not match); {_RETRAIN}")
    return manifest


def _verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    from openends.embed.integrity import verify_file

    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ModelError(f"{folder / MANIFEST}: lists no files; {_RETRAIN}")
    for name, expected in files.items():
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ModelError(f"{folder / MANIFEST}: lists a file outside the folder ({name}); "
                             f"{_RETRAIN}")
        verify_file(folder / name, str(expected), fix="Train the coder again")


def _embedder(folder: Path, manifest: dict[str, Any], given: Embedder | None,
              models_dir: Path | None) -> Embedder | None:
    spec, identity = manifest["embedder"], manifest["embedder_identity"]
    if spec is None:
        return None
    if given is not None:
        embedder = given
    elif (folder / EMBEDDER_FOLDER).is_dir():
        from openends.embed.tfidf import TfidfEmbedder

        embedder = TfidfEmbedder.load(folder / EMBEDDER_FOLDER)
    else:
        from openends.embed import get_embedder

        embedder = get_embedder(str(spec), models_dir=models_dir,
                                seed=int(manifest["options"]["seed"]))
    if embedder.identity != identity:
        raise ModelError(f"{folder}: this coder was trained with the {spec} embedder "
                         f"{identity}, but the one found now is {embedder.identity} (it was "
                         f"rebuilt or changed); {_RETRAIN}, or use the embedder it was "
                         "trained with")
    return embedder


def _vectorizer(options: dict[str, Any], terms: list[str], idf: np.ndarray) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    settings = {**options, "ngram_range": tuple(options["ngram_range"])}
    vectorizer = TfidfVectorizer(vocabulary={str(term): index for index, term in enumerate(terms)},
                                 **settings)
    vectorizer._validate_vocabulary()
    if idf.shape != (len(terms),):
        raise ValueError(f"{len(terms)} terms but {idf.shape} idf weights")
    vectorizer.idf_ = idf
    return vectorizer


def _checksum(manifest: dict[str, Any]) -> str:
    content = {key: value for key, value in manifest.items() if key != "checksum"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


def _sha256(path: Path) -> str:
    from openends.embed.integrity import sha256_file

    return sha256_file(path)
