"""The sample project's cleaned responses, once per session for the keyword tests."""

from __future__ import annotations

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def sample_cleaned() -> pd.DataFrame:
    from openends.clean import clean_responses
    from openends.config import load_project
    from openends.pipeline import cleaning_options, read_project
    from openends.sample import sample_project_path

    project = load_project(sample_project_path())
    table: pd.DataFrame = clean_responses(read_project(project).responses,
                                          cleaning_options(project))[0]
    return table
