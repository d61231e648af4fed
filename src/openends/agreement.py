"""Agreement between two codings of the same answers, per theme and overall.

``compare_codings(coded, reference)`` takes two wide 0/1 tables (``response_id`` plus
one column per theme) and returns, per theme and for all themes together: the answers
compared, each coding's prevalence, percent agreement, Cohen's kappa (scikit-learn)
and precision, recall and F1 of ``coded`` against ``reference``. Answers present in
only one coding are counted, not silently dropped.

Example:
    >>> a = pd.DataFrame({"response_id": ["1", "2", "3", "4"], "x": [1, 0, 1, 0]})
    >>> b = pd.DataFrame({"response_id": ["1", "2", "3", "5"], "x": [1, 0, 0, 1]})
    >>> result = compare_codings(a, b)
    >>> result.table[["theme", "n", "agreement", "precision", "recall"]].values.tolist()
    [['x', 3, 0.6667, 0.5, 1.0], ['(all themes)', 3, 0.6667, 0.5, 1.0]]
    >>> result.only_in_coded, result.only_in_reference
    (['4'], ['5'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from openends.errors import ConfigError

ALL = "(all themes)"
KAPPA_FLAG = 0.6


@dataclass(frozen=True)
class Agreement:
    """Per-theme statistics, and the answers only one coding has."""

    table: pd.DataFrame
    only_in_coded: list[str]
    only_in_reference: list[str]
    names: tuple[str, str] = ("coded", "reference")

    def to_dict(self) -> dict[str, Any]:
        return {"themes": self.table.to_dict(orient="records"),
                "only_in_coded": len(self.only_in_coded),
                "only_in_reference": len(self.only_in_reference)}

    def __rich__(self) -> Group:
        coded, reference = self.names
        shared = int(self.table["n"].iloc[-1]) if len(self.table) else 0
        head = Text(f"Agreement of {coded} (A) with {reference} (B) on {shared:,} answers",
                    style="bold")
        table = Table(show_edge=False, box=box.SIMPLE_HEAD)
        for name in ("theme", "% A", "% B", "agree", "kappa", "P", "R", "F1"):
            table.add_column(name, justify="left" if name == "theme" else "right",
                             no_wrap=True)
        for row in self.table.to_dict("records"):
            kappa = "" if np.isnan(row["kappa"]) else f"{row['kappa']:.2f}"
            flag = "[yellow]![/yellow]" if kappa and row["kappa"] < KAPPA_FLAG else " "
            table.add_row(str(row["theme"]), f"{row['prevalence_coded']:.1%}",
                          f"{row['prevalence_reference']:.1%}", f"{row['agreement']:.1%}",
                          kappa + flag, _number(row["precision"]), _number(row["recall"]),
                          _number(row["f1"]))
        parts: list[Any] = [head, table, Text(
            "P, R, F1: precision, recall and F1 of A against B; ! = kappa below 0.6",
            style="dim")]
        if self.only_in_coded or self.only_in_reference:
            parts.append(Text(f"Not compared (in one coding only): {len(self.only_in_coded):,} "
                              f"answers of {coded}, {len(self.only_in_reference):,} of "
                              f"{reference}", style="dim"))
        return Group(*parts)


def _number(value: float) -> str:
    return "" if np.isnan(value) else f"{value:.2f}"


def compare_codings(coded: pd.DataFrame, reference: pd.DataFrame, *,
                    themes: Sequence[str] | None = None, id_column: str = "response_id",
                    names: tuple[str, str] = ("coded", "reference")) -> Agreement:
    """Agreement of ``coded`` with ``reference`` (both wide 0/1 tables keyed by ``id_column``)."""
    from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

    for table, name in ((coded, names[0]), (reference, names[1])):
        if id_column not in table.columns:
            raise ConfigError(f"the {name} coding has no {id_column!r} column")
    wanted = list(themes) if themes is not None else [
        column for column in reference.columns if column in coded.columns and column != id_column]
    coded_ids = coded[id_column].astype(str)
    reference_ids = reference[id_column].astype(str)
    shared = sorted(set(coded_ids) & set(reference_ids))
    a = coded.assign(**{id_column: coded_ids}).set_index(id_column).loc[shared, wanted]
    b = reference.assign(**{id_column: reference_ids}).set_index(id_column).loc[shared, wanted]
    rows = []
    for theme in wanted:
        rows.append(_statistics(theme, a[theme].to_numpy(dtype=int),
                                b[theme].to_numpy(dtype=int), cohen_kappa_score,
                                precision_recall_fscore_support))
    rows.append(_statistics(ALL, a.to_numpy(dtype=int).ravel(), b.to_numpy(dtype=int).ravel(),
                            cohen_kappa_score, precision_recall_fscore_support, n=len(shared)))
    only_coded = sorted(set(coded_ids) - set(reference_ids))
    only_reference = sorted(set(reference_ids) - set(coded_ids))
    return Agreement(pd.DataFrame(rows), only_coded, only_reference, names)


def _statistics(theme: str, a: np.ndarray, b: np.ndarray, kappa: Any, prf: Any,
                n: int | None = None) -> dict[str, Any]:
    agree = float((a == b).mean()) if len(a) else float("nan")
    both_constant = len(set(a.tolist()) | set(b.tolist())) < 2
    k = float("nan") if both_constant or not len(a) else float(kappa(a, b))
    if a.sum() or b.sum():
        precision, recall, f1, _ = prf(b, a, average="binary", zero_division=0)
    else:
        precision = recall = f1 = float("nan")
    return {"theme": theme, "n": n if n is not None else len(a),
            "prevalence_coded": round(float(a.mean()) if len(a) else 0.0, 4),
            "prevalence_reference": round(float(b.mean()) if len(b) else 0.0, 4),
            "agreement": round(agree, 4), "kappa": round(k, 4),
            "precision": round(float(precision), 4), "recall": round(float(recall), 4),
            "f1": round(float(f1), 4)}
