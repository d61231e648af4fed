"""Render the sample project's HTML report and look at it as a reader would.

Builds the sample project's report in ``corpora/`` as ``openends demo`` does (static
embedder, by wave and group), writes ``report.html`` beside the screenshot, and has
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

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"


def sample_report() -> object:
    """The sample project's report, as ``openends demo`` builds it (the same pipeline
    functions: read, clean, code, agreement with the hand codes, report)."""
    from openends.clean import clean_responses
    from openends.config import load_project
    from openends.pipeline import (
        cleaning_options,
        code_project,
        project_report,
        read_project,
        reference_agreement,
    )

    project = load_project(CORPORA / "project.toml")
    cleaned, _ = clean_responses(read_project(project).responses, cleaning_options(project))
    coding = code_project(project, cleaned)
    return project_report(project, cleaned, coding, reference_agreement(project, coding))


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
