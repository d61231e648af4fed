"""Honest statistics of coded answers: prevalence with bases and intervals, tests of
change corrected for multiple comparisons, theme co-occurrence.

Every share comes with its base (n), count (k) and a Wilson 95% interval; every
"changed" is a test whose p-value is corrected across all the tests of the call;
bases under 30 are flagged. scipy and statsmodels do the maths and are imported only
when a statistic is computed.

Example:
    >>> import pandas as pd
    >>> from openends.stats import prevalence
    >>> codes = pd.DataFrame({"response_id": ["a", "b", "c"], "tor": [1, 0, 1]})
    >>> responses = pd.DataFrame({"response_id": ["a", "b", "c"], "status": "ok"})
    >>> prevalence(codes, responses)[["theme", "base", "n", "k"]]
      theme     base  n  k
    0   tor  answers  3  2
"""

from openends.stats._counts import BASES, BLANK, NOT_THEMES, SMALL_BASE, group_label, natural_key
from openends.stats.changes import (
    CORRECTIONS,
    adjust_p,
    cochran_armitage,
    difference_interval,
    group_differences,
    trend_tests,
    two_proportion_test,
    wave_changes,
)
from openends.stats.cooccurrence import cooccurrence, roll_up
from openends.stats.prevalence import prevalence, wilson_interval

__all__ = [
    "BASES",
    "BLANK",
    "CORRECTIONS",
    "NOT_THEMES",
    "SMALL_BASE",
    "adjust_p",
    "cochran_armitage",
    "cooccurrence",
    "difference_interval",
    "group_differences",
    "group_label",
    "natural_key",
    "prevalence",
    "roll_up",
    "trend_tests",
    "two_proportion_test",
    "wave_changes",
    "wilson_interval",
]
