"""Saving and loading topic models, in formats that run no code when read.

A topics folder holds ``topics.json`` and ``assignments.csv`` (SPEC section 3)
and ``model/``: ``openends-topics.json`` (options, chosen topic count, the
embedder's identity, package versions) beside BERTopic's safetensors
serialisation (``model/bertopic/``) or, for NMF and LDA, the vocabulary in
JSON and the fitted arrays as ``.npy`` files read with ``allow_pickle=False``.
The folder is written next to its final place and moved there whole, so a
failed save never leaves half a model.

Example (``model`` fitted by :class:`~openends.topics.TopicModel`)::

    save_topic_model(model, Path("topics"))
    same = load_topic_model(Path("topics"))
    same.transform(new_cleaned)
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from openends.errors import ModelError
from openends.io.folders import publish_folder
from openends.topics.model import Candidate, Topic, TopicModel, _SklearnState

FORMAT = 1
_META = "openends-topics.json"
_SKLEARN_ARRAYS = {
    "nmf": ("components_",),
    "lda": ("components_", "exp_dirichlet_component_"),
}


def save_topic_model(model: TopicModel, directory: Path, *,
                     extras: Mapping[str, pd.DataFrame | dict[str, Any]] | None = None) -> Path:
    """Write ``topics.json``, ``assignments.csv`` and ``model/`` into ``directory``.

    ``extras`` adds files by name: a DataFrame as CSV, a dict as JSON (e.g. topic
    counts by wave, quality figures). An existing folder is replaced only once
    the new one is complete.
    """
    if not hasattr(model, "topics_"):
        from openends.errors import NotFittedError

        raise NotFittedError("TopicModel", "fit it before saving")
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ModelError(f"{directory}: exists and is not a folder; choose another -o path")
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        _write(model, work)
        for name, content in (extras or {}).items():
            if isinstance(content, pd.DataFrame):
                content.to_csv(work / name, index=False)
            else:
                (work / name).write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        publish_folder(work, directory)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return directory


def _write(model: TopicModel, folder: Path) -> None:
    (folder / "topics.json").write_text(
        json.dumps([topic.to_dict() for topic in model.topics_], indent=2, ensure_ascii=False)
        + "\n", encoding="utf-8")
    model.assignments_.to_csv(folder / "assignments.csv", index=False)
    model_dir = folder / "model"
    model_dir.mkdir()
    if model.method == "bertopic":
        import logging

        # BERTopic warns that no embedding model is saved: openends embeds answers itself.
        logging.getLogger("BERTopic").setLevel(logging.ERROR)
        model.state_.save(str(model_dir / "bertopic"), serialization="safetensors",
                          save_ctfidf=True, save_embedding_model=False)
        embedder = model._embedder()
        if hasattr(embedder, "save"):  # a fitted state (tfidf) travels with the topics
            embedder.save(model_dir / "embedder")
    else:
        _save_sklearn(model.state_, model_dir / "sklearn")
    meta = {
        "format": FORMAT,
        "method": model.method,
        "n_topics": model.n_topics,
        "clustering": model.clustering,
        "seed": model.seed,
        "n_words": model.n_words,
        "n_representatives": model.n_representatives,
        "embedder": _embedder_name(model),
        "embedder_identity": model.embedder_identity_,
        "n_modelled": model.n_modelled_,
        "outliers_found": model.outliers_found_,
        "candidates": [vars(candidate) for candidate in model.candidates_],
        "versions": _versions(),
    }
    (model_dir / _META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def load_topic_model(directory: Path, *, embedder: Any = None,
                     models_dir: Path | None = None) -> TopicModel:
    """A fitted :class:`TopicModel` read back from a topics folder, ready to ``transform``.

    ``embedder`` replaces the one named in the folder (it must be the same model:
    its identity is checked when answers are embedded).
    """
    directory = Path(directory)
    meta_path = directory / "model" / _META
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        topics = [Topic.from_dict(item) for item in
                  json.loads((directory / "topics.json").read_text(encoding="utf-8"))]
    except FileNotFoundError as error:
        raise ModelError(f"{directory}: not a topics folder ({Path(str(error.filename)).name} "
                         "is missing); write one with `openends topics ... -o DIR`") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ModelError(f"{directory}: damaged topics folder ({error})") from None
    if meta.get("format") != FORMAT:
        raise ModelError(f"{meta_path}: format {meta.get('format')!r} is not one this "
                         f"version reads ({FORMAT}); refit the topics")
    if embedder is None and (directory / "model" / "embedder").is_dir():
        from openends.embed.tfidf import TfidfEmbedder

        embedder = TfidfEmbedder.load(directory / "model" / "embedder")
    model = TopicModel(meta["method"], n_topics=meta["n_topics"],
                       embedder=embedder if embedder is not None else meta["embedder"],
                       clustering=meta["clustering"], seed=meta["seed"],
                       n_words=meta["n_words"], n_representatives=meta["n_representatives"],
                       models_dir=models_dir)
    if meta["method"] == "bertopic":
        model.state_ = _load_bertopic(directory / "model" / "bertopic")
    else:
        model.state_ = _load_sklearn(directory / "model" / "sklearn", meta["method"])
    model.topics_ = topics
    model.embedder_identity_ = meta["embedder_identity"]
    model.n_modelled_ = meta["n_modelled"]
    model.outliers_found_ = meta["outliers_found"]
    model.candidates_ = [Candidate(**candidate) for candidate in meta["candidates"]]
    assignments = directory / "assignments.csv"
    model.assignments_ = (pd.read_csv(assignments, dtype={"response_id": str},
                                      keep_default_na=False, na_values=[""])
                          if assignments.exists() else pd.DataFrame())
    return model


def _embedder_name(model: TopicModel) -> str:
    return model.embedder if isinstance(model.embedder, str) else model.embedder.name


def _load_bertopic(folder: Path) -> Any:
    import logging

    from bertopic import BERTopic
    from bertopic.backend import BaseEmbedder

    if not (folder / "topic_embeddings.safetensors").exists():
        raise ModelError(f"{folder}: the BERTopic model is missing; refit the topics")
    logging.getLogger("BERTopic").setLevel(logging.ERROR)
    # Answers are embedded by openends and handed over; BERTopic must never load a model.
    return BERTopic.load(str(folder), embedding_model=BaseEmbedder())


def _save_sklearn(state: _SklearnState, folder: Path) -> None:
    folder.mkdir()
    vectorizer = state.vectorizer
    params = {key: value for key, value in vectorizer.get_params().items()
              if key in ("token_pattern", "stop_words", "ngram_range", "min_df", "lowercase",
                         "sublinear_tf")}
    model_params = {key: value for key, value in state.model.get_params().items()
                    if isinstance(value, (int, float, str, bool, type(None)))}
    (folder / "vectorizer.json").write_text(json.dumps({
        "kind": type(vectorizer).__name__, "params": params,
        "vocabulary": [str(term) for term in vectorizer.get_feature_names_out()],
        "model_params": model_params,
    }, indent=1) + "\n", encoding="utf-8")
    if hasattr(vectorizer, "idf_"):
        np.save(folder / "idf.npy", np.asarray(vectorizer.idf_), allow_pickle=False)
    for name in _SKLEARN_ARRAYS[state.method]:
        np.save(folder / f"{name}.npy", np.asarray(getattr(state.model, name)),
                allow_pickle=False)
    if state.method == "lda":
        np.save(folder / "doc_topic_prior_.npy", np.asarray([state.model.doc_topic_prior_]),
                allow_pickle=False)


def _load_sklearn(folder: Path, method: str) -> _SklearnState:
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    spec = json.loads((folder / "vectorizer.json").read_text(encoding="utf-8"))
    params = dict(spec["params"], ngram_range=tuple(spec["params"]["ngram_range"]))
    vocabulary = {term: index for index, term in enumerate(spec["vocabulary"])}
    vectorizer: Any
    if spec["kind"] == "TfidfVectorizer":
        vectorizer = TfidfVectorizer(**params, vocabulary=vocabulary)
        vectorizer.idf_ = np.load(folder / "idf.npy", allow_pickle=False)
    else:
        vectorizer = CountVectorizer(**params, vocabulary=vocabulary)
    vectorizer._validate_vocabulary()
    model: Any = (NMF if method == "nmf" else LatentDirichletAllocation)(**spec["model_params"])
    for name in _SKLEARN_ARRAYS[method]:
        setattr(model, name, np.load(folder / f"{name}.npy", allow_pickle=False))
    model.n_components_ = model.components_.shape[0]
    model.n_features_in_ = model.components_.shape[1]
    if method == "lda":
        model.doc_topic_prior_ = float(np.load(folder / "doc_topic_prior_.npy",
                                               allow_pickle=False)[0])
        model.topic_word_prior_ = 1.0 / model.n_components_
    return _SklearnState(method, vectorizer, model)


def _versions() -> dict[str, str]:
    versions = {}
    for package in ("openends", "bertopic", "scikit-learn", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions
