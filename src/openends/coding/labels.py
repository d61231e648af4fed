"""Human codes as a 0/1 table, one row per coded answer, to train or check a coder with.

Codes come in any shape :func:`openends.coding.codings.read_coding` reads: wide (an id
column and one 0/1 column per theme), long (one row per answer and theme, as ``openends
code`` writes; an empty theme codes the answer with none), or a coding sheet from
``openends sample`` or ``openends disagreements``.

They are matched to the answers **by id** when the codes have an id column
(``response_id``, or the column named by ``id_column``), else **by row position**, in
which case the codes must have exactly one row per answer.

Only the answers the codes cover are in the result: an answer missing from the file,
or whose row was left blank (not coded yet, or not settled in an adjudication sheet), is
left out, never guessed; ``result.attrs["not_coded"]`` counts those rows.

Every id in the codes must be an answer's ``response_id``; anything that is not a
0 or 1, an unknown theme (when ``themes`` are given), a wide file without a column
for one of them, a missing or repeated id is a :class:`LabelsError`.

Example:
    >>> responses = pd.DataFrame({"response_id": ["a", "b", "c"]})
    >>> wide = pd.DataFrame({"response_id": ["c", "a"], "crypto": [1, 0], "tor": ["0", "1"]})
    >>> read_labels(wide, responses)
       crypto  tor
    0       0    1
    2       1    0
    >>> long = pd.DataFrame({"response_id": ["b", "b", "c"], "theme": ["tor", "crypto", ""]})
    >>> read_labels(long, responses, themes=["crypto", "tor"])
       crypto  tor
    1       1    1
    2       0    0
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from openends.coding.codings import ID_COLUMN, Coding, read_coding
from openends.errors import LabelsError, UnknownColumnError


def read_labels(codes: str | Path | pd.DataFrame, responses: pd.DataFrame, *,
                id_column: str | None = None,
                themes: Sequence[str] | None = None) -> pd.DataFrame:
    """The human codes in ``codes`` as a 0/1 int table indexed like ``responses``' rows.

    ``codes`` is a file (any format :func:`openends.io.read_table` reads) or a
    DataFrame. ``id_column`` names the codes' id column (default ``response_id``
    when present, else the codes align with the answers by row position); its
    values are matched with ``responses["response_id"]``. ``themes`` (e.g. a
    codebook's ids) fixes the columns and their order; without it they are the
    file's theme columns, or the long file's themes in order of appearance.
    """
    return labels_of(read_coding(codes, id_column=id_column, themes=themes), responses,
                     id_column=id_column)


def labels_of(coding: Coding, responses: pd.DataFrame, *,
              id_column: str | None = None) -> pd.DataFrame:
    """A coding already read (:func:`~openends.coding.codings.read_coding`) as
    :func:`read_labels` returns it: aligned with ``responses``' rows, ids checked."""
    where = coding.source
    if coding.positional:
        n_rows = len(coding.codes) + len(coding.not_coded)
        if n_rows != len(responses):
            raise LabelsError(where, f"has {n_rows} row(s) but there are {len(responses)} "
                              f"answers; codes without an id column ({ID_COLUMN!r}) are matched "
                              "to the answers by row position, so the counts must be equal. Add "
                              "the answers' ids, or give the id column with --id")
        rows = [int(answer[1:]) - 1 for answer in coding.codes.index]
        return _noting(coding.codes.set_axis(responses.index[rows], axis=0), coding)
    if ID_COLUMN not in responses.columns:
        raise UnknownColumnError(ID_COLUMN, list(responses.columns))
    answer_ids = responses[ID_COLUMN].astype(str).tolist()
    known = set(answer_ids)
    unknown = [answer for answer in [*coding.codes.index, *coding.not_coded]
               if answer not in known]
    if unknown:
        column = id_column or ID_COLUMN
        raise LabelsError(where, f"{len(unknown)} id(s) in column {column!r} are not answers "
                          f"of the survey file (e.g. {', '.join(map(repr, unknown[:3]))}); code "
                          "the same file, or check that the ids are the answers' response_id "
                          "values")
    coded = set(coding.codes.index)
    rows = [position for position, answer in enumerate(answer_ids) if answer in coded]
    ordered = coding.codes.loc[[answer_ids[position] for position in rows]]
    return _noting(ordered.set_axis(responses.index[rows], axis=0).astype("int64"), coding)


def _noting(labels: pd.DataFrame, coding: Coding) -> pd.DataFrame:
    """``labels`` with ``attrs["not_coded"]``: the rows of the file left blank, not
    settled or not coded by the tool, which are left out (callers report them)."""
    labels.attrs["not_coded"] = len(coding.not_coded)
    return labels
