"""Drafting a codebook from a topics folder: the library and ``openends codebook draft``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from openends.cli import codebook as codebook_cli
from openends.errors import InputFileError, OpenendsError, OutputExistsError, TopicsFolderError
from openends.topics.draft import (
    draft_codebook,
    include_patterns,
    read_topics,
    skipped_topics,
    slugify,
    write_codebook,
)

runner = CliRunner()
THEME_KEYS = ["id", "label", "description", "include", "examples"]


def _topics() -> list[dict[str, Any]]:
    """topics.json as ``openends topics`` writes it: sorted, outliers as topic -1."""
    return [
        {"topic": -1, "label": "outliers", "words": ["thing", "stuff"], "weights": [0.1, 0.1],
         "phrases": [], "size": 30, "share": 0.05, "representatives": ["nhs:1"],
         "examples": ["No idea."]},
        {"topic": 0, "label": "staff friendly helpful",
         "words": ["staff", "friendly", "helpful", "nurse", "kind", "care", "polite",
                   "professional", "team", "excellent"],
         "weights": [0.12, 0.1, 0.09, 0.07, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02],
         "phrases": ["staff friendly", "friendly helpful", "nursing staff", "really kind"],
         "size": 412, "share": 0.074, "representatives": ["nhs:12", "nhs:98", "nhs:7", "nhs:3"],
         "examples": ["Staff were friendly and helpful.", "The nurses were kind.",
                      "Very professional team.", "Lovely staff."]},
        {"topic": 1, "label": "waiting time appointment",
         "words": ["wait", "time", "appointment", "long", "week", "hour", "delay", "gp", "a&e",
                   "phone"],
         "weights": [0.1] * 10,
         "phrases": ["waiting time", "long wait", "phone line", "a e department"],
         "size": 120, "share": 0.02, "representatives": ["nhs:4", "nhs:5", "nhs:6"],
         "examples": ["", "Waited three weeks for a GP appointment.", "  ",
                      "Four hours in A&E."]},
        {"topic": 2, "label": "parking car park", "words": ["parking", "car", "park"],
         "weights": [0.2, 0.1, 0.1], "phrases": ["car park"], "size": 3, "share": 0.0005,
         "representatives": ["nhs:40"], "examples": ["Parking is a nightmare."]},
        {"topic": 3, "label": "Staff friendly, helpful!", "words": ["staff", "friendly"],
         "weights": [0.3, 0.2], "phrases": [], "size": 40, "share": 0.007,
         "representatives": [], "examples": []},
        {"topic": 4, "label": "", "words": ["förnekade", "ärende", "polis"], "weights": [0.1] * 3,
         "size": 9, "representatives": ["nhs:77"], "examples": ["Han förnekade allt."]},
        {"topic": 5, "label": "24 hour service", "words": ["24", "hour", "service"],
         "weights": [0.1] * 3, "phrases": None, "size": 8, "representatives": [],
         "examples": [None, "Open 24 hours."]},
        {"topic": 6, "label": "医院 服务", "words": ["医院", "服务"], "weights": [0.1, 0.1],
         "size": 7, "representatives": [], "examples": []},
        {"topic": 7, "label": "(no words)", "words": [], "weights": [], "phrases": [],
         "size": 2, "share": 0.0003, "representatives": ["nhs:9"], "examples": ["Ok."]},
    ]


def make_topics_folder(parent: Path, topics: object = None, *, name: str = "nhs_topics",
                       raw: str | None = None) -> Path:
    """A folder as ``openends topics`` writes it: topics.json, assignments.csv, model/."""
    folder = parent / name
    (folder / "model").mkdir(parents=True)
    text = raw if raw is not None else json.dumps(
        _topics() if topics is None else topics, ensure_ascii=False, indent=2)
    (folder / "topics.json").write_text(text, encoding="utf-8")
    (folder / "assignments.csv").write_text("response_id,topic,probability\nnhs:12,0,0.93\n",
                                            encoding="utf-8")
    return folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_topics_folder(tmp_path)


def _app() -> typer.Typer:
    """A root command with the codebook group, as ``openends.cli`` registers it."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test root."""

    codebook_cli.register(app)
    return app


def _by_id(codebook: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {theme["id"]: theme for theme in codebook["themes"]}


# The draft -------------------------------------------------------------------------------


def test_one_theme_per_topic_in_topic_order_without_outliers(folder: Path) -> None:
    codebook = draft_codebook(folder)
    assert list(codebook) == ["name", "version", "themes"]
    assert codebook["name"] == "Draft codebook from nhs_topics"
    assert codebook["version"] == "draft"
    assert [theme["id"] for theme in codebook["themes"]] == [
        "staff_friendly_helpful", "waiting_time_appointment", "parking_car_park",
        "staff_friendly_helpful_2", "fornekade_arende_polis", "topic_24_hour_service",
        "topic_6", "topic_7"]
    assert all(list(theme) == THEME_KEYS for theme in codebook["themes"])


def test_topics_are_read_in_topic_order_whatever_the_file_order(tmp_path: Path) -> None:
    folder = make_topics_folder(tmp_path, list(reversed(_topics())))
    assert [topic.topic for topic in read_topics(folder)] == [-1, 0, 1, 2, 3, 4, 5, 6, 7]
    assert draft_codebook(folder) == draft_codebook(make_topics_folder(tmp_path, name="sorted"),
                                                    name="Draft codebook from nhs_topics")


def test_labels_are_capitalised_and_fall_back_to_the_words(folder: Path) -> None:
    labels = [theme["label"] for theme in draft_codebook(folder)["themes"]]
    assert labels == ["Staff friendly helpful", "Waiting time appointment", "Parking car park",
                      "Staff friendly, helpful!", "Förnekade ärende polis", "24 hour service",
                      "医院 服务", "Topic 7"]


def test_ids_are_unique_identifier_like_slugs(folder: Path) -> None:
    ids = [theme["id"] for theme in draft_codebook(folder)["themes"]]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", theme_id) for theme_id in ids)
    assert all(len(theme_id) <= 40 for theme_id in ids)


def test_slugify() -> None:
    assert slugify("Staff -- friendly & helpful!") == "staff_friendly_helpful"
    assert slugify("Crème brûlée") == "creme_brulee"
    assert slugify("Encrypt device, handle encrypt") == "encrypt_device_handle"
    assert slugify("3 weeks") == "topic_3_weeks"
    assert slugify("服务") == ""
    assert slugify("appointment " * 10) == "appointment"
    long = slugify("appointment booking cancelled rescheduled postponed again")
    assert long == "appointment_booking_cancelled"
    assert slugify("x" * 60) == "x" * 40


def test_descriptions_name_words_phrases_size_and_share(folder: Path) -> None:
    themes = _by_id(draft_codebook(folder))
    assert themes["staff_friendly_helpful"]["description"] == (
        "Answers about staff, friendly, helpful, nurse, kind, nursing staff, really kind, ... "
        "(topic 0: 412 answers, 7.4%)")
    assert themes["staff_friendly_helpful_2"]["description"] == (
        "Answers about staff, friendly (topic 3: 40 answers, 0.7%)")
    assert themes["topic_7"]["description"] == "Answers in topic 7 (2 answers, 0.0%)"
    assert themes["topic_7"]["include"] == []


def test_share_is_computed_from_sizes_when_missing(folder: Path) -> None:
    total = sum(topic["size"] for topic in _topics())
    description = _by_id(draft_codebook(folder))["fornekade_arende_polis"]["description"]
    assert description.endswith(f"(topic 4: 9 answers, {9 / total:.1%})")


def test_include_patterns_of_the_drafted_themes(folder: Path) -> None:
    themes = _by_id(draft_codebook(folder))
    assert themes["staff_friendly_helpful"]["include"] == [
        "staff*", "friendly*", "helpful*", "nurse*", "kind*", "care*", "polite*",
        "professional*"]
    assert themes["waiting_time_appointment"]["include"] == [
        "wait*", "time*", "appointment*", "phone line", "long*", "a e department", "week*",
        "hour*"]
    assert themes["topic_24_hour_service"]["include"] == ["24", "hour*", "service*"]


def test_wildcards_only_on_words_of_four_letters_or_more() -> None:
    assert include_patterns(["gp", "nhs", "a&e", "covid19", "care", "self-care"]) == [
        "gp", "nhs", "a&e", "covid19", "care*", "self-care"]


def test_duplicates_and_subsumed_patterns_are_dropped() -> None:
    assert include_patterns(["Staff", "staff", "helpful", "help"], ["staff room", "STAFF"]) == [
        "staff*", "help*"]
    assert include_patterns(["gp"], ["gp surgery", "surgery", "local surgery"]) == [
        "gp", "surgery"]
    assert include_patterns([], ["car park", "the car park", "car park fees"]) == ["car park"]
    assert include_patterns(["nurse"], ["nursing"]) == ["nurse*", "nursing"]


def test_literal_star_and_regex_prefix_never_become_patterns() -> None:
    assert include_patterns(["a*b", "re:x", "  "], ["re:\\bgp\\b", "*"]) == []


def test_include_patterns_are_limited() -> None:
    words = [f"word{letter}" for letter in "abcdefghij"]
    assert include_patterns(words) == [f"{word}*" for word in words[:8]]
    assert len(include_patterns(words, limit=3)) == 3


def test_examples_are_at_most_three_and_never_empty(folder: Path) -> None:
    themes = _by_id(draft_codebook(folder))
    assert themes["staff_friendly_helpful"]["examples"] == [
        "Staff were friendly and helpful.", "The nurses were kind.", "Very professional team."]
    assert themes["waiting_time_appointment"]["examples"] == [
        "Waited three weeks for a GP appointment.", "Four hours in A&E."]
    assert themes["topic_24_hour_service"]["examples"] == ["Open 24 hours."]
    assert themes["staff_friendly_helpful_2"]["examples"] == []


def test_small_topics_are_skipped_with_min_size(folder: Path) -> None:
    ids = [theme["id"] for theme in draft_codebook(folder, min_size=10)["themes"]]
    assert ids == ["staff_friendly_helpful", "waiting_time_appointment",
                   "staff_friendly_helpful_2"]
    assert skipped_topics(read_topics(folder), min_size=10) == {
        "outliers": [-1], "small": [2, 4, 5, 6, 7]}
    assert skipped_topics(read_topics(folder)) == {"outliers": [-1], "small": []}


def test_a_folder_without_outliers(tmp_path: Path) -> None:
    folder = make_topics_folder(tmp_path, _topics()[1:3])
    assert len(draft_codebook(folder, name="  NHS comments  ")["themes"]) == 2
    assert draft_codebook(folder, name="  NHS comments  ")["name"] == "NHS comments"


def test_themes_have_the_fields_the_sample_codebook_uses(folder: Path, corpora: Path) -> None:
    sample = yaml.safe_load((corpora / "codebook.yml").read_text(encoding="utf-8"))
    assert all(set(THEME_KEYS) <= set(theme) for theme in sample["themes"])
    known_fields = {field for theme in sample["themes"] for field in theme}
    codebook = draft_codebook(folder)
    assert set(codebook) <= set(sample)
    for theme in codebook["themes"]:
        assert set(THEME_KEYS) <= set(theme) <= known_fields
        assert all(isinstance(theme[key], str) and theme[key] for key in THEME_KEYS[:3])
        assert all(isinstance(pattern, str) for pattern in theme["include"])
        assert all(isinstance(example, str) for example in theme["examples"])


# Writing -----------------------------------------------------------------------------------


def test_written_codebook_round_trips_and_says_it_is_a_draft(folder: Path,
                                                             tmp_path: Path) -> None:
    codebook = draft_codebook(folder)
    path = write_codebook(codebook, tmp_path / "out" / "codebook.yml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT codebook, generated from topics by openends")
    assert "review" in text.split("name:")[0].lower()
    assert "医院 服务" in text and "Förnekade" in text
    assert yaml.safe_load(text) == codebook
    assert sorted(item.name for item in path.parent.iterdir()) == ["codebook.yml"]


def test_existing_file_is_kept_unless_forced(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "codebook.yml"
    path.write_text("name: mine\n", encoding="utf-8")
    codebook = draft_codebook(folder)
    with pytest.raises(OutputExistsError, match="already exists; pass --force"):
        write_codebook(codebook, path)
    assert path.read_text(encoding="utf-8") == "name: mine\n"
    write_codebook(codebook, path, force=True)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == codebook


@pytest.mark.parametrize("name", ["codebook.json", "codebook"])
def test_codebook_is_written_as_yaml_only(folder: Path, tmp_path: Path, name: str) -> None:
    with pytest.raises(InputFileError, match=r"\.yml"):
        write_codebook(draft_codebook(folder), tmp_path / name)
    assert not (tmp_path / name).exists()


# Bad topics folders ------------------------------------------------------------------------


def _without(field: str, topic: int = 1) -> list[dict[str, Any]]:
    topics = _topics()
    del topics[topic + 1][field]
    return topics


def _with(field: str, value: object, topic: int = 1) -> list[dict[str, Any]]:
    topics = _topics()
    topics[topic + 1][field] = value
    return topics


BAD_TOPICS: dict[str, tuple[dict[str, Any], str]] = {
    "invalid JSON": ({"raw": '[{"topic": 0,'}, "topics.json: is not valid JSON"),
    "empty file": ({"raw": ""}, "topics.json: is not valid JSON"),
    "not a list": ({"topics": {"topic": 0}}, "should hold a list of topics, not a JSON object"),
    "entry not an object": ({"topics": [["staff"]]}, "entry 1 is a JSON list, not a topic"),
    "no topic number": ({"topics": _without("topic", 0)}, "entry 2 has no 'topic'"),
    "topic number a string": ({"topics": _with("topic", "1")},
                              "entry 3 has a string as 'topic', not a whole number"),
    "no label": ({"topics": _without("label")}, "topics.json: topic 1 has no 'label'"),
    "no words": ({"topics": _without("words")}, "topic 1 has no 'words'"),
    "no size": ({"topics": _with("size", None)}, "topic 1 has no 'size'"),
    "label not a string": ({"topics": _with("label", 3)}, "topic 1: 'label' is a number"),
    "words not a list": ({"topics": _with("words", "wait time")},
                         "topic 1: 'words' must be a list of strings"),
    "phrases with numbers": ({"topics": _with("phrases", ["wait", 3])},
                             "topic 1: 'phrases' must be a list of strings"),
    "negative size": ({"topics": _with("size", -4)}, "topic 1: 'size' must be a count"),
    "share above 1": ({"topics": _with("share", 7.4)}, "topic 1: 'share' must be a number"),
    "repeated topic": ({"topics": _with("topic", 0)}, "topic 0 appears more than once"),
    "no topics": ({"topics": []}, "topics.json: holds no topics"),
    "only outliers": ({"topics": _topics()[:1]}, "holds only outliers"),
}


@pytest.mark.parametrize("case", BAD_TOPICS)
def test_malformed_topics_json_is_one_clear_error(tmp_path: Path, case: str) -> None:
    arguments, message = BAD_TOPICS[case]
    folder = make_topics_folder(tmp_path, **arguments)
    with pytest.raises(TopicsFolderError, match=re.escape(message)):
        draft_codebook(folder)


def test_missing_folder_or_file(tmp_path: Path) -> None:
    with pytest.raises(TopicsFolderError, match="missing: no such folder"):
        draft_codebook(tmp_path / "missing")
    (tmp_path / "file.json").write_text("[]", encoding="utf-8")
    with pytest.raises(TopicsFolderError, match=r"file\.json: is a file, not a topics folder"):
        draft_codebook(tmp_path / "file.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(TopicsFolderError, match=r"topics\.json: not found in"):
        draft_codebook(tmp_path / "empty")


def test_min_size_larger_than_every_topic(folder: Path) -> None:
    with pytest.raises(TopicsFolderError, match=r"no topic has 500 or more answers \(the "
                       r"largest has 412\); lower --min-size"):
        draft_codebook(folder, min_size=500)


# The command line --------------------------------------------------------------------------


def test_cli_writes_the_draft(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "codebook.yml"
    result = runner.invoke(_app(), ["codebook", "draft", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Drafted 8 themes from 9 topics (1 skipped: outliers) -> {out}\n"
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == draft_codebook(folder)


def test_cli_options_and_json_summary(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "codebook.yml"
    result = runner.invoke(_app(), ["codebook", "draft", str(folder), "--out", str(out),
                                    "--min-size", "10", "--name", "NHS comments", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "name": "NHS comments", "themes": 3, "topics": 9,
        "skipped": {"outliers": [-1], "small": [2, 4, 5, 6, 7]}, "min_size": 10,
        "output": str(out)}
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == draft_codebook(
        folder, name="NHS comments", min_size=10)
    text = runner.invoke(_app(), ["codebook", "draft", str(folder), "-o", str(out), "--force",
                                  "--min-size", "10"])
    assert "(6 skipped: outliers, 5 with fewer than 10 answers)" in text.stdout


def test_cli_refuses_to_overwrite_without_force(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "codebook.yml"
    out.write_text("name: mine\n", encoding="utf-8")
    result = runner.invoke(_app(), ["codebook", "draft", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {out}: already exists; pass --force to overwrite it, " \
                            "or choose another -o path\n"
    assert out.read_text(encoding="utf-8") == "name: mine\n"
    forced = runner.invoke(_app(), ["codebook", "draft", str(folder), "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == draft_codebook(folder)


@pytest.mark.parametrize("case", ["invalid JSON", "no label", "only outliers", "missing folder",
                                  "min size"])
def test_cli_bad_input_is_one_line_exit_2_and_no_file(tmp_path: Path, case: str) -> None:
    if case == "missing folder":
        folder, message, extra = tmp_path / "nowhere", "nowhere: no such folder", []
    elif case == "min size":
        folder = make_topics_folder(tmp_path)
        message, extra = "lower --min-size", ["--min-size", "1000"]
    else:
        arguments, message = BAD_TOPICS[case]
        folder, extra = make_topics_folder(tmp_path, **arguments), []
    out = tmp_path / "codebook.yml"
    result = runner.invoke(_app(), ["codebook", "draft", str(folder), "-o", str(out), *extra])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not out.exists()


def test_cli_usage_errors_exit_2(folder: Path, tmp_path: Path) -> None:
    out, csv = tmp_path / "codebook.yml", tmp_path / "codebook.csv"
    for arguments in (["-o", str(out), "--min-size", "0"], [], ["-o", str(csv)]):
        result = runner.invoke(_app(), ["codebook", "draft", str(folder), *arguments])
        assert result.exit_code == 2, arguments
    assert not out.exists() and not csv.exists()


def test_errors_are_openends_errors() -> None:
    assert issubclass(TopicsFolderError, InputFileError)
    assert issubclass(OutputExistsError, OpenendsError)
    assert OutputExistsError("codebook.yml").exit_code == 2


def test_ids_stay_within_the_length_limit() -> None:
    from openends.topics.draft import MAX_ID_LENGTH, _unique, slugify

    assert len(slugify("1" * 60)) <= MAX_ID_LENGTH
    taken: set[str] = set()
    label = "antidisestablishmentarianism" * 2  # one word longer than the limit
    ids = [_unique(slugify(label), taken) for _ in range(12)]
    assert len(ids[0]) == MAX_ID_LENGTH
    assert len(set(ids)) == 12 and max(map(len, ids)) <= MAX_ID_LENGTH
