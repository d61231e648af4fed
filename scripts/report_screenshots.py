"""Render the sample project's HTML report and look at it as a reader would.

Codes the sample project in ``corpora/`` with the rule coder (fast, no model), builds
the report by wave and group, writes ``report.html`` beside the screenshot, and has
headless Chromium take a full-page PNG and print a PDF (to check the print layout).
Not used by the tests; needs ``chromium`` on PATH (``apt-get install chromium``).

    python scripts/report_screenshots.py out/report.png [--width 1280] [--height 30000]

Writes ``report.png``, ``report.html`` and ``report.pdf`` (same folder and stem).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"


def sample_report() -> object:
    """The sample project's report: rule-coded, by wave and group."""
    from openends.clean import clean_responses
    from openends.coding.codebook import load_codebook
    from openends.coding.combine import code_responses
    from openends.config import load_project
    from openends.pipeline import cleaning_options, read_project
    from openends.report.build import build_report

    project = load_project(CORPORA / "project.toml")
    cleaned, _ = clean_responses(read_project(project).responses, cleaning_options(project))
    codebook = load_codebook(CORPORA / "codebook.yml")
    coding = code_responses(cleaned, codebook=codebook, semantic=False)
    return build_report(coding.wide(), cleaned, codebook=codebook, evidence=coding.long(),
                        by=["group"], title="Sample survey: police and employers",
                        quality=quality(coding.wide()))


def quality(codes: pd.DataFrame) -> dict[str, Any]:
    """Agreement of the rule codes with the project's 400 hand-coded answers."""
    from openends.agreement import agree
    from openends.coding.codings import read_coding
    from openends.report.build import quality_from_agreement

    reference = read_coding(CORPORA / "hand_coded.csv", name="hand-coded")
    rules = read_coding(codes[codes["response_id"].isin(reference.codes.index)]
                        [["response_id", *reference.themes]], name="rules")
    return quality_from_agreement(agree([rules, reference]), against="hand-coded")


def browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "headless_shell"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no Chromium found: install it (apt-get install -y chromium)")


def chromium(page: Path, *options: str) -> None:
    command = [browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--hide-scrollbars", "--no-first-run", "--disable-extensions",
               "--run-all-compositor-stages-before-draw", *options, page.resolve().as_uri()]
    subprocess.run(command, check=True, capture_output=True, timeout=180)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("png", type=Path, help="where to write the screenshot (.png)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=30000,
                        help="window height in pixels: the screenshot's length")
    args = parser.parse_args()

    from openends.report.html import render_html

    png = args.png.resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    page, pdf = png.with_suffix(".html"), png.with_suffix(".pdf")
    page.write_text(render_html(sample_report()), encoding="utf-8")  # type: ignore[arg-type]
    chromium(page, f"--screenshot={png}", f"--window-size={args.width},{args.height}")
    chromium(page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    print(f"{page}\n{png}\n{pdf}")


if __name__ == "__main__":
    main()
