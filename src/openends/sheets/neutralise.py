"""Text cells that a spreadsheet cannot mistake for formulas (CSV injection).

A spreadsheet program opening a CSV file runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` (and, in some programs, a tab or carriage return) as a formula, so an
answer such as ``=HYPERLINK("http://x")`` would become a live link. Following the
OWASP advice, :func:`neutralise` puts an apostrophe before such a cell and
:func:`restore` takes exactly that apostrophe off again. A text that already starts
with apostrophes before a formula character gets one more, so that
``restore(neutralise(text)) == text`` for every text.

Example:
    >>> neutralise("=1+1"), neutralise("More staff"), neutralise("'=x")
    ("'=1+1", 'More staff', "''=x")
    >>> restore(neutralise("-2")), restore("'quoted'"), restore(neutralise("'=x"))
    ('-2', "'quoted'", "'=x")
"""

from __future__ import annotations

import re

QUOTE = "'"
_LOOKS_LIKE_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """``value`` with a leading apostrophe when it starts like a formula (after any
    apostrophes it already starts with).

    Example:
        >>> [neutralise(text) for text in ["@cmd", "\\tx", "a=b", "'tis", ""]]
        ["'@cmd", "'\\tx", 'a=b', "'tis", '']
    """
    return QUOTE + value if _LOOKS_LIKE_FORMULA.match(value) else value


def restore(value: str) -> str:
    """Undo :func:`neutralise`: drop one leading apostrophe, only when a formula start
    (after any further apostrophes) follows it.

    Example:
        >>> restore("'+SUM(A1)"), restore("''=x"), restore("'tis"), restore("=1")
        ('+SUM(A1)', "'=x", "'tis", '=1')
    """
    if value.startswith(QUOTE) and _LOOKS_LIKE_FORMULA.match(value, 1):
        return value[1:]
    return value
