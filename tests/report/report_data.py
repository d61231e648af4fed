"""A small generated survey for the report tests: three waves, two regions, two questions.

Planted: ``encryption`` (tech) rises from 10% to 50% of the north's tech answers and
stays at 10% in the south; ``darknet`` (tech) is flat at 20%; ``staff`` (help) is
asked in the north only, 20 answers a wave (a small base). Some answers are empty or
non-answers; two carry an e-mail address and a phone number.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from openends.coding.codebook import Codebook
from openends.report.build import build_report
from openends.report.model import Report

WAVES = ("2017", "2018", "2019")
EMAIL, PHONE = "anna@example.org", "+46 70 123 45 67"
CODEBOOK = Codebook.model_validate({"name": "Generated", "themes": [
    {"id": "encryption", "label": "Encryption", "question": "tech",
     "include": ["encrypt*"]},
    {"id": "darknet", "label": "Darknet", "question": "tech", "include": ["darknet"]},
    {"id": "staff", "label": "More staff", "question": "help", "include": ["staff"]}]})
# Every answer has fewer than eight words: cleaning never calls repeated short answers
# duplicates ("More staff" from many people is agreement, not a copy).
ENCRYPTED = ["Encryption on every phone we seize.",
             "Encryption in all the chat apps.",
             "Encryption of laptops by default.",
             "Encryption on most seized disks."]
BOTH = ["Encryption and darknet forums.", "Darknet markets and encryption."]
DARK = ["Darknet forums are busier.", "Trading moved to the darknet."]
OTHER = ["Mostly the same as last year.",
         "Cloud accounts and many more devices.",
         "Live streaming from abroad."]
STAFF = ["We need more staff.", "Hire staff with technical skills."]
HELP_OTHER = ["Better phone extraction tools.", "Training on new apps."]
PERSONAL = {"2017": f"Encryption: mail {EMAIL}.",
            "2018": f"Encryption, call {PHONE}",
            "2019": f"Encryption: {EMAIL} or {PHONE}"}


def _answer(index: int, encryption: bool, darknet: bool) -> str:
    if encryption and darknet:
        return BOTH[index % 2]
    if encryption:
        return ENCRYPTED[index % 4]
    if darknet:
        return DARK[index % 2]
    return OTHER[index % 3]


def generated_survey() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Raw responses (``response_id, text, wave, region, question``), wide codes and long
    codes with evidence, deterministic."""
    rows, codes, long = [], [], []
    encryption_per_wave = {"north": (4, 12, 20), "south": (4, 4, 4)}
    for position, wave in enumerate(WAVES):
        for region in ("north", "south"):
            for index in range(40):
                response_id = f"{region[0]}{wave}-{index:02d}:tech"
                encryption = index < encryption_per_wave[region][position]
                darknet = 30 <= index < 38
                text = _answer(index, encryption, darknet)
                if index == 39:
                    text = "n/a"
                if index == 3 and region == "north":
                    text = PERSONAL[wave]
                rows.append((response_id, text, wave, region, "tech"))
                codes.append({"response_id": response_id, "encryption": int(encryption),
                              "darknet": int(darknet), "staff": 0})
                for theme, matched in (("encryption", encryption), ("darknet", darknet)):
                    if matched and text != "n/a":
                        evidence = EMAIL if "@" in text else text.split()[0].strip(",.:")
                        if theme == "darknet":
                            evidence = "darknet"
                        long.append((response_id, theme, 1.0, "rule", evidence))
        for index in range(20):
            response_id = f"n{wave}-{index:02d}:help"
            staff = index < 10
            text = STAFF[index % 2] if staff else HELP_OTHER[index % 2]
            if index == 19:
                text = ""
            rows.append((response_id, text, wave, "north", "help"))
            codes.append({"response_id": response_id, "encryption": 0, "darknet": 0,
                          "staff": int(staff and text != "")})
            if staff:
                long.append((response_id, "staff", 1.0, "rule", "staff"))
    responses = pd.DataFrame(rows, columns=["response_id", "text", "wave", "region", "question"])
    wide = pd.DataFrame(codes)
    empty = set(responses.loc[responses["text"].isin(["", "n/a"]), "response_id"])
    wide.loc[wide["response_id"].isin(empty), ["encryption", "darknet", "staff"]] = 0
    evidence = pd.DataFrame(long, columns=["response_id", "theme", "score", "source", "evidence"])
    evidence = evidence[~evidence["response_id"].isin(empty)].reset_index(drop=True)
    return responses, wide, evidence


def hand_cleaned(responses: pd.DataFrame) -> pd.DataFrame:
    """The responses with the cleaning columns set by hand (no cleaning code involved, so a
    snapshot does not move when cleaning changes)."""
    status = ["empty" if text == "" else "non_substantive" if text == "n/a" else "ok"
              for text in responses["text"]]
    redacted = [text.replace(EMAIL, "[EMAIL]").replace(PHONE, "[PHONE]")
                for text in responses["text"]]
    return responses.assign(clean_text=responses["text"], redacted_text=redacted,
                            status=status, language="en")


KEYWORDS = pd.DataFrame({
    "scope": "north tech answers", "by": "wave",
    "group": ["2017", "2019", "2019"], "rank": [1, 1, 2],
    "keyphrase": ["same", "encrypted", "phones"], "score": [3.1, 4.2, 2.5],
    "log_odds": [1.2, 1.5, 0.9], "ctfidf": [0.1, 0.2, 0.1], "count": [12, 18, 9],
    "share": [0.3, 0.45, 0.22], "count_rest": [5, 14, 6], "share_rest": [0.06, 0.17, 0.08],
    "answers": [39, 39, 39], "answers_rest": [78, 78, 78]})


def snapshot_report() -> Report:
    """The generated survey's report, built without cleaning or keyness code, so its
    rendering is stable (keywords: a fixed table)."""
    responses, wide, evidence = generated_survey()
    report = build_report(wide, hand_cleaned(responses), codebook=CODEBOOK, evidence=evidence,
                          by=["region"], title="Generated survey", keywords=False,
                          quality={"kind": "agreement", "against": "hand codes", "n": 120,
                                   "kappa": 0.82, "kappa_low": 0.74, "kappa_high": 0.89,
                                   "f1": 0.86, "f1_low": 0.8, "f1_high": 0.91})
    return replace(report, keywords=KEYWORDS)
