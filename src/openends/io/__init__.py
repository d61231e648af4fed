"""Reading survey exports: formats, encodings, delimiters, Qualtrics headers.

Example (with the sample project)::

    from openends.io import read_responses
    responses, info = read_responses("police_2017.csv", text="Q4", id="ResponseId")
"""

from openends.io.info import ReadInfo
from openends.io.inspect import ColumnProfile, Inspection, inspect_file
from openends.io.responses import as_text, parse_column_specs, read_responses
from openends.io.tables import read_table
from openends.io.write import write_table

__all__ = [
    "ColumnProfile",
    "Inspection",
    "ReadInfo",
    "as_text",
    "inspect_file",
    "parse_column_specs",
    "read_responses",
    "read_table",
    "write_table",
]
