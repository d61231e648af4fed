"""Topic discovery: one estimator (:class:`TopicModel`) over BERTopic and scikit-learn.

Submodules load on first use, so importing the package does not load BERTopic.

Example (with a cleaned responses table from ``openends.clean.clean_responses``)::

    from openends.topics import TopicModel
    model = TopicModel(n_topics="auto", seed=0).fit(cleaned)
    model.topics_[0].label
"""

from __future__ import annotations

from openends.lazy import lazy_getattr

_LAZY = {
    "METHODS": "openends.topics.model",
    "Topic": "openends.topics.model",
    "TopicModel": "openends.topics.model",
    "TopicQuality": "openends.topics.summary",
    "TopicSummary": "openends.topics.summary",
    "evaluate_topics": "openends.topics.summary",
    "topics_by": "openends.topics.model",
    "fit_on_sample": "openends.topics.model",
    "fit_sample": "openends.topics.model",
    "with_assignments": "openends.topics.model",
    "load_topic_model": "openends.topics.store",
    "save_topic_model": "openends.topics.store",
    "npmi_coherence": "openends.topics.evaluate",
    "topic_diversity": "openends.topics.evaluate",
    "stability": "openends.topics.evaluate",
    "draft_codebook": "openends.topics.draft",
    "write_codebook": "openends.topics.draft",
}
__all__ = list(_LAZY)


__getattr__ = lazy_getattr("openends.topics", _LAZY)
