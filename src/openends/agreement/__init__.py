"""Agreement between codings: reliability statistics per theme, with bootstrap intervals.

Example:
    >>> import pandas as pd
    >>> from openends.agreement import agree
    >>> from openends.coding.codings import Coding
    >>> a = Coding("a", pd.DataFrame({"tor": [1, 0, 1, 1]}, index=list("wxyz")))
    >>> b = Coding("b", pd.DataFrame({"tor": [1, 0, 1, 1]}, index=list("wxyz")))
    >>> agree([a, b], resamples=100).table.loc[0, ["kappa", "alpha", "ac1"]].tolist()
    [1.0, 1.0, 1.0]
"""

from openends.agreement.compare import ALL, FLAG_BELOW, Agreement, agree

__all__ = ["ALL", "FLAG_BELOW", "Agreement", "agree"]
