"""Embedder fixtures: no network, a private cache, a fake distillation, one real static build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from openends.embed import normalise_rows


def tiny_static_model(dimensions: int = 8) -> Any:
    """A model2vec model over ten words, built in milliseconds."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer
    from tokenizers.models import WordPiece
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    words = ["[PAD]", "[UNK]", "encrypted", "phones", "apps", "cloud", "storage", "more",
             "staff", "training"]
    tokenizer = Tokenizer(WordPiece({word: i for i, word in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.normalizer = BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = BertPreTokenizer()
    vectors = normalise_rows(np.random.default_rng(0).normal(size=(len(words), dimensions)))
    config = {"model_type": "model2vec", "hidden_dim": dimensions, "normalize": True,
              "tokenizer_name": "/absolute/path/to/the/source/model"}
    return StaticModel(vectors=vectors.astype(np.float16), tokenizer=tokenizer, config=config,
                       normalize=True, base_model_name="model")


@pytest.fixture
def fake_distill(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, int]]:
    """Replace the minute-long distillation with :func:`tiny_static_model`; records the calls."""
    calls: list[tuple[Path, int]] = []

    def distill(source: Path, pca_dims: int) -> Any:
        calls.append((source, pca_dims))
        return tiny_static_model()

    monkeypatch.setattr("openends.embed.static._distill", distill)
    return calls
