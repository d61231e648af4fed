"""Redaction: each placeholder type, its look-alikes that must survive, terms, names."""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from pathlib import Path

import pytest

from openends.clean.redact import Redactor, luhn_valid
from openends.errors import ConfigError

REDACTOR = Redactor()


def redacted(text: str) -> str:
    return REDACTOR.redact(text)[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to anna.berg@example.se now", "write to [EMAIL] now"),
        ("(first.last+survey@mail.police.example.org)", "([EMAIL])"),
        ("see https://example.org/report?id=123456789.", "see [URL]."),
        ("at www.example.org/x, or", "at [URL], or"),
        ("on example.com/path/to/page", "on [URL]"),
        ("on example.com.", "on [URL]."),
        ("a hidden service, abc123.onion", "a hidden service, [URL]"),
        ("from 192.168.1.20 and 8.8.8.8.", "from [IP] and [IP]."),
        ("v6 2001:0db8:85a3:0000:0000:8a2e:0370:7334 here", "v6 [IP] here"),
        ("compressed 2001:db8::1 and fe80::1ff:fe23:4567:890a", "compressed [IP] and [IP]"),
        ("mapped ::ffff:192.0.2.128", "mapped [IP]"),
        ("call +46 70 123 45 67", "call [PHONE]"),
        ("call +44 (0)20 7946 0958.", "call [PHONE]."),
        ("call 0044 20 7946 0958", "call [PHONE]"),
        ("call 070-123 45 67 or (020) 7946 0958", "call [PHONE] or [PHONE]"),
        ("call +46701234567", "call [PHONE]"),
        ("US (555) 123-4567", "US [PHONE]"),
        ("card 4111 1111 1111 1111", "card [CARD]"),
        ("in 2019 2019 0027 (0) 5454712503", "in 2019 2019 [PHONE]"),
        ("2016 2017 2018 2019 +46 70 123 45 67", "2016 2017 2018 2019 [PHONE]"),
        ("2016 2017 2018 2019 0046 70 123 45 67", "2016 2017 2018 2019 [PHONE]"),
        ("in 2019 4111 1111 1111 1112", "in 2019 [ID]"),
        ("call +46 70 123 45 67 or 351@example.org", "call [PHONE] or [EMAIL]"),
        ("card 4111-1111-1111-1111 and 378282246310005", "card [CARD] and [CARD]"),
        ("pnr 19800101-1234 or 800101-1234", "pnr [ID] or [ID]"),
        ("number 123456789", "number [ID]"),
        ("case AB1234567 and K12345-19", "case [ID] and [ID]"),
    ],
)
def test_each_type_is_redacted(text: str, expected: str) -> None:
    assert redacted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "since 2017 it got worse",
        "from 2017-2019 and 2020 to 2021",
        "about 12.5% or 50 % of cases",
        "at 14:30 or 08:00-17:00, 10:30:00",
        "it costs 50 € or $1,000 or 1 000 000 kr",
        "on 2019-03-01, 01-02-2019, 01.02.2019 or 01/02/19",
        "they seized 3 terabytes and 250 000 files",
        "I went home.Then it was over.Next day",
        "ASP.NET, Node.js, e.g. and i.e. in the U.S.",
        "version 3.11 and 10.5.2, mp3, covid-19, H264, x86",
        "words with dots at sentence ends. Really.",
        "256.1.1.1 is not an address",
        "a 7-digit 0701234 number",
        "in 2016 2017 2018 2019 and 2020-2021-2022-2023",
    ],
)
def test_look_alikes_are_kept(text: str) -> None:
    assert redacted(text) == text


def test_luhn() -> None:
    assert luhn_valid("4111 1111 1111 1111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111 1111 1111 1112")
    assert not luhn_valid("")


def test_card_numbers_failing_luhn_become_ids() -> None:
    assert redacted("card 4111 1111 1111 1112") == "card [ID]"
    assert redacted("1234567890123456") == "[ID]"


def test_digits_inside_urls_and_emails_are_not_redacted_separately() -> None:
    text, counts = REDACTOR.redact("https://example.org/?tel=+46701234567&id=19800101-1234")
    assert text == "[URL]"
    assert counts == Counter({"URL": 1})
    assert REDACTOR.redact("0701234567@example.org")[1] == Counter({"EMAIL": 1})


def test_terms_are_whole_word_and_case_insensitive() -> None:
    redactor = Redactor(terms=("Acme", "Stockholm police"))
    text, counts = redactor.redact("ACME Ltd, not Acmeology; the stockholm  Police said so.")
    assert text == "[TERM] Ltd, not Acmeology; the [TERM] said so."
    assert counts == Counter({"TERM": 2})


def test_terms_do_not_touch_placeholders_or_urls() -> None:
    redactor = Redactor(terms=("email", "acme"))
    assert redactor.redact("email a@b.org or see www.acme.com")[0] == "[TERM] [EMAIL] or see [URL]"


def test_counts_by_type() -> None:
    text = "a@b.org, c@d.org, +46 70 123 45 67, 10.0.0.1, 4111111111111111, AB1234567"
    _, counts = REDACTOR.redact(text)
    assert counts == Counter({"EMAIL": 2, "PHONE": 1, "IP": 1, "CARD": 1, "ID": 1})


def test_redact_many_keeps_order_and_totals() -> None:
    texts = ["no data here", "a@b.org", "", "call 070-123 45 67 or mail c@d.org"]
    out, counts = REDACTOR.redact_many(texts)
    assert out == ["no data here", "[EMAIL]", "", "call [PHONE] or mail [EMAIL]"]
    assert counts == Counter({"EMAIL": 2, "PHONE": 1})
    assert out == [REDACTOR.redact(text)[0] for text in texts]


def _fake_email(rng: random.Random) -> str:
    alphabet = string.ascii_lowercase + string.digits + "._"
    local = "".join(rng.choices(alphabet, k=rng.randint(3, 12)))
    local = local.strip("._") or "x"
    domain = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 10)))
    return f"{local}@{domain}.{rng.choice(['com', 'org', 'se', 'co.uk', 'example'])}"


def _fake_phone(rng: random.Random) -> str:
    def digits(n: int) -> str:
        return "".join(rng.choices(string.digits, k=n))

    country = str(rng.randint(1, 99))
    prefix = rng.choice(["+", "00"]) + country
    sep = rng.choice([" ", "-", ".", ""])
    subscriber = digits(rng.randint(7, 10))  # real numbers have 7+ digits after the country
    cuts = sorted(rng.sample(range(2, len(subscriber) - 1), rng.randint(1, 3)))
    groups = [subscriber[start:end] for start, end in zip([0, *cuts], [*cuts, None], strict=True)]
    trunk = rng.choice(["", " (0)"])
    return prefix + trunk + (sep if not trunk else " ") + sep.join(groups)


def test_generated_answers_leak_no_email_or_phone() -> None:
    rng = random.Random(20240601)
    words = ["the", "they", "use", "encryption", "tor", "cloud", "staff", "in", "2019", "50", "%"]
    answers, emails, phones = [], [], []
    for _ in range(300):
        email, phone = _fake_email(rng), _fake_phone(rng)
        parts = rng.choices(words, k=rng.randint(3, 12))
        parts.insert(rng.randint(0, len(parts)), email + rng.choice(["", ",", ".", ")"]))
        phone_as_written = rng.choice(["", "("]) + phone + rng.choice(["", ",", "."])
        parts.insert(rng.randint(0, len(parts)), phone_as_written)
        answers.append(" ".join(parts))
        emails.append(email)
        phones.append(phone)
    out, counts = REDACTOR.redact_many(answers)
    for text, email, phone in zip(out, emails, phones, strict=True):
        assert email not in text, text
        assert phone not in text, text
        # The only digits the filler words bring are "2019" and "50": any other is a leak.
        assert not re.search(r"\d", re.sub(r"\b(?:2019|50)\b", "", text)), text
    assert counts["EMAIL"] == 300
    assert counts["PHONE"] == 300


def test_ner_status_says_names_are_not_redacted_without_a_model() -> None:
    status = Redactor().ner_status
    assert "not redacted" in status
    assert "spacy_model" in status


def test_uninstalled_model_raises_config_error_naming_it() -> None:
    redactor = Redactor(spacy_model="xx_no_such_pipeline_sm")
    with pytest.raises(ConfigError, match="xx_no_such_pipeline_sm") as raised:
        redactor.redact("Anna Berg called")
    assert "\n" not in str(raised.value)
    assert "install" in str(raised.value)


def test_person_names_with_a_local_ner_pipeline(tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"LOWER": "anna"}, {"LOWER": "berg"}]}])
    nlp.to_disk(tmp_path / "people")
    redactor = Redactor(spacy_model=str(tmp_path / "people"))
    out, counts = redactor.redact_many(["Anna Berg said no", "mail a@b.org", "ANNA BERG again"])
    assert out == ["[PERSON] said no", "mail [EMAIL]", "[PERSON] again"]
    assert counts == Counter({"PERSON": 2, "EMAIL": 1})
    assert "redacted with" in redactor.ner_status


def test_pipeline_without_ner_is_refused(tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy")
    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ConfigError, match="no named-entity recogniser"):
        Redactor(spacy_model=str(tmp_path / "blank")).redact("Anna")


@pytest.mark.parametrize("text", [
    "the crew were brilliant.it was late when we left",
    "Staff were lovely.co-ordination could improve",
])
def test_missing_space_after_a_full_stop_is_not_a_url(text: str) -> None:
    redacted, counts = Redactor().redact(text)
    assert redacted == text and not counts
