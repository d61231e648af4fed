"""``openends train FILE --text COL --labels CODES -o MODEL_DIR``: a coder learned from human codes.

Example:
    $ openends train survey.csv --text answer --id id --labels hand_coded.csv -o models/coder
    $ openends code wave2.csv --text answer --model models/coder --min-precision 0.95 -o codes.csv
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from openends.cli.common import (
    AttrOption,
    IdOption,
    InputFile,
    JsonOption,
    SheetOption,
    TextOption,
    console,
    print_json,
    read_cleaned,
    reports_errors,
)

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Group

    from openends.coding.trained import TrainedCoder

EMBEDDERS = ("static", "minilm", "tfidf", "none")


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)


@dataclass(frozen=True)
class TrainingRun:
    """What ``openends train`` did: the coder, the answers it learned from, where it went."""

    coder: TrainedCoder
    n_answers: int
    n_labelled: int
    n_trained: int
    output: Path
    n_not_coded: int = 0

    def to_dict(self) -> dict[str, Any]:
        quality = self.coder.quality_
        return {"answers": self.n_answers, "labelled": self.n_labelled,
                "labels_not_coded": self.n_not_coded,
                "trained_on": self.n_trained, "themes": self.coder.themes_,
                "too_few": self.coder.too_few_, "thresholds": self.coder.thresholds_,
                "quality": quality.to_dict(), "output": str(self.output)}

    def __rich__(self) -> Group:
        from rich.console import Group
        from rich.text import Text

        skipped = self.n_labelled - self.n_trained
        note = (f"; {skipped:,} skipped: empty, non-substantive, duplicate or in another "
                "language" if skipped else "")
        head = Text(f"Trained on {self.n_trained:,} of the {self.n_labelled:,} human-coded "
                    f"answers{note} ({self.n_answers:,} answers in the file)", style="bold")
        parts: list[Any] = [head]
        if self.n_not_coded:
            parts.append(Text(f"{self.n_not_coded:,} row(s) of the codes file were left blank, "
                              "not settled or not coded, and are left out", style="yellow"))
        return Group(*parts, self.coder.quality_,
                     Text(f"\nWrote the trained coder to {self.output}"))


def train_from_files(file: Path, text: list[str], labels: Path, out: Path, *,
                     id: str | None = None, attrs: list[str] | None = None,
                     sheet: str | None = None, codebook: Path | None = None,
                     embedder: str = "static", folds: int = 5, min_examples: int = 5,
                     seed: int = 0, force: bool = False, progress: bool = False) -> TrainingRun:
    """Read and clean the answers, join the human codes, train, cross-validate and save."""
    from openends.coding.base import CodingInput
    from openends.coding.codebook import load_codebook
    from openends.coding.labels import read_labels
    from openends.coding.store import check_output_folder, save_trained_coder
    from openends.coding.trained import TrainedCoder
    from openends.embed import EmbeddingCache, default_cache_dir
    from openends.errors import ConfigError
    from openends.io import read_table

    if embedder not in EMBEDDERS:
        raise ConfigError(f"--embedder must be one of {', '.join(EMBEDDERS)}, not {embedder!r}")
    check_output_folder(out, force=force)
    themes = load_codebook(codebook).ids if codebook is not None else None
    cleaned = read_cleaned(file, text=text, id=id, attrs=attrs, sheet=sheet)
    header, _ = read_table(labels)
    coded = read_labels(labels, cleaned, themes=themes, id_column=_labels_id(header, id))
    answers = CodingInput.of(cleaned)
    trained_rows = _ok_rows(answers.positions, cleaned, coded)
    coder = TrainedCoder(embedder=None if embedder == "none" else embedder, folds=folds,
                         min_examples=min_examples, seed=seed, progress=progress,
                         cache=EmbeddingCache(default_cache_dir() / "embeddings"))
    position_of = {int(position): row for row, position in enumerate(answers.positions)}
    rows = [position_of[position] for position in trained_rows]
    coder.fit([answers.texts[row] for row in rows],
              coded.loc[cleaned.index[trained_rows]].reset_index(drop=True),
              questions=[answers.questions[row] for row in rows])
    save_trained_coder(coder, out, force=force)
    return TrainingRun(coder, len(cleaned), len(coded), len(rows), Path(out),
                       int(coded.attrs.get("not_coded", 0)))


def _labels_id(codes: pd.DataFrame, id: str | None) -> str | None:
    """The codes' id column: ``response_id`` if they have it, else the ``--id`` column if
    they have that, else none (codes align with the answers by row position)."""
    if "response_id" in codes.columns:
        return "response_id"
    return id if id is not None and id in codes.columns else None


def _ok_rows(positions: Any, cleaned: pd.DataFrame, coded: pd.DataFrame) -> list[int]:
    """Row positions of the answers that are ``ok`` and have human codes, in file order."""
    labelled = set(cleaned.index.get_indexer(coded.index).tolist())
    return [int(position) for position in positions if int(position) in labelled]


@reports_errors
def train_command(
    file: InputFile,
    text: TextOption,
    labels: Annotated[Path, typer.Option(
        "--labels", help="Human codes: wide (an id column and one 0/1 column per theme) or "
        "long (response_id, theme); without an id column, matched by row position.",
        show_default=False)],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder to save the coder in.")],
    id: IdOption = None,
    attr: AttrOption = None,
    sheet: SheetOption = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="Codebook (.yml): its theme ids and order for the codes.")] = None,
    embedder: Annotated[str, typer.Option(
        "--embedder", help="static, minilm, tfidf or none (TF-IDF features only).")
    ] = "static",
    folds: Annotated[int, typer.Option(
        "--folds", min=2, help="Cross-validation folds for thresholds and quality.")] = 5,
    min_examples: Annotated[int, typer.Option(
        "--min-examples", min=1, help="Fewest coded answers a theme needs to be learned.")
    ] = 5,
    seed: Annotated[int, typer.Option("--seed", help="Seed of every random step.")] = 0,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a coder already saved in the output folder.")] = False,
    json: JsonOption = False,
) -> None:
    """A coder learned from human codes, with cross-validated quality per theme."""
    run = train_from_files(file, text, labels, out, id=id, attrs=attr, sheet=sheet,
                           codebook=codebook, embedder=embedder, folds=folds,
                           min_examples=min_examples, seed=seed, force=force,
                           progress=not json)
    if json:
        print_json(run.to_dict())
        return
    console().print(run)
