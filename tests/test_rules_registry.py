"""Tests for the rules engine's registry: what a rule must declare, and how it is run."""

from __future__ import annotations

import pytest

import kompred.rules as rules
from kompred.rules import INFO, OK, RULES, SAKNAS, VARNING, Finding, Registry, Rule, run_rules
from kompred.schema import AGREEMENTS, CRITERIA, SOURCES, Source

CTX = {"today": "2025-03-01"}
GOOD = {"title": "T", "criterion": "form", "severity": SAKNAS, "source": SOURCES["S1"],
        "text": "Anmälan har en titel."}


def _title_rule(app):
    return Finding(OK, "Titel finns.") if app.get("title") else Finding(SAKNAS, "Ange titel.")


def test_a_decorated_function_becomes_a_registered_public_check():
    reg = Registry()
    check = reg.rule(id="has_title", **GOOD)(_title_rule)
    assert [r.code for r in reg.rules] == ["has_title"] and "has_title" in reg
    assert check.rule is reg.by_code()["has_title"]
    result = check({"Titel": "Kurs"}, context=CTX)  # Swedish header, prepared like run_rules
    assert (result.code, result.status, result.rule) == ("has_title", "ok", GOOD["text"])
    assert result.source == SOURCES["S1"].cite() and "https://" in result.source
    assert [r.status for r in reg.run({}, context=CTX)] == ["saknas"]


def test_ids_are_unique():
    reg = Registry()
    reg.rule(id="has_title", **GOOD)(_title_rule)
    with pytest.raises(ValueError, match="already registered"):
        reg.rule(id="has_title", **GOOD)(_title_rule)
    assert len(reg) == 1
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"source": ()}, "Source"),
        ({"source": None}, "Source"),
        ({"source": "SKR, Frågor och svar https://skr.se"}, "Source"),  # a string, not a Source
        ({"source": Source("X", "Någon", "Utan adress")}, "URL"),
        ({"criterion": ""}, "criterion"),
        ({"criterion": "kriterium 9"}, "criterion"),
        ({"severity": OK}, "severity"),
        ({"severity": "fel"}, "severity"),
        ({"text": " "}, "text|rule"),
        ({"agreements": ("KOM-KR-1999",)}, "agreements"),
        ({"periods": ("2030-2032",)}, "periods"),
    ],
)
def test_a_rule_without_source_or_criterion_is_rejected(change, match):
    reg = Registry()
    with pytest.raises(ValueError, match=match):
        reg.rule(id="has_title", **{**GOOD, **change})(_title_rule)
    assert len(reg) == 0


def test_rule_needs_keyword_criterion_severity_and_sources():
    with pytest.raises(TypeError):
        Rule("x", "T", _title_rule, AGREEMENTS, "R.")  # no criterion, severity, sources
    with pytest.raises(ValueError, match="snake_case"):
        Registry().rule(id="Has Title", **GOOD)(_title_rule)


def test_severity_caps_the_status_shown():
    # A rule whose warnings are not precise enough is shown as information.
    reg = Registry()
    check = reg.rule(id="shy", **{**GOOD, "severity": INFO})(
        lambda app: Finding(VARNING, "Kanske.", ["ord"]))
    result = check({}, context=CTX)
    assert (result.status, result.evidence) == ("info", ("ord",))


def test_a_rule_returning_an_unknown_status_fails_loudly():
    reg = Registry()
    check = reg.rule(id="bad", **GOOD)(lambda app: Finding("kanske", "?"))
    with pytest.raises(ValueError, match="status 'kanske'"):
        check({}, context=CTX)


def test_every_rule_declares_criterion_severity_and_public_sources():
    for r in RULES:
        assert r.criterion in CRITERIA, r.code
        assert r.sources and any(s.url and s.url in r.source for s in r.sources), r.code
        assert "domain.md" not in r.source and "[S" not in r.source, r.code
        assert r.code in rules.__doc__  # the docstring's list is written from the registry
    assert {CRITERIA[r.criterion].number for r in RULES} >= {1, 2, 4, 5, 7}


def test_no_result_is_more_serious_than_its_rule_allows():
    order = {s: i for i, s in enumerate(rules.STATUSES)}
    drafts = [{}, {"description": "Årlig repetition av HLR på APT, en eftermiddag."},
              {"description": "Lön för vikarier. Ska rekryteras. Rehabilitering.",
               "period_start": "2020-01-01", "period_end": "2019-01-01"}]
    for draft in drafts:
        for res in run_rules(draft, context=CTX):
            assert order[res.status] >= order[rules.RULES_BY_CODE[res.code].severity]


def test_no_user_facing_text_cites_the_internal_brief():
    draft = {"description": "Föreläsning om stress för nyanställda, lön för vikarier."}
    for res in run_rules(draft, context=CTX):
        for text in (res.message, res.rule, res.source):
            assert "domain.md" not in text and "§" not in text, res.code
