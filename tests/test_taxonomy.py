"""Taxonomies as data: loading, extension rules and format errors."""

from __future__ import annotations

import pytest

from kompred import TaxonomyError, load_taxonomy
from kompred.taxonomy import bundled_taxonomies

SEED_TOPICS = ("yrkesutbildning", "språk", "bemötande", "blandat", "äldre")


def test_default_has_the_seed_topics_with_examples():
    tax = load_taxonomy("default")
    assert tax.topic_ids == SEED_TOPICS
    assert tax.fallback == "blandat"
    for topic in tax.topics:
        assert topic.description and topic.keywords
        assert len(topic.examples) >= 10
    assert "barnskötarutbildning" in tax["yrkesutbildning"].seed_examples


def test_bundled_list():
    assert {"default", "extended"} <= set(bundled_taxonomies())


def test_extended_adds_topics():
    ext = load_taxonomy("extended")
    assert set(SEED_TOPICS) < set(ext.topic_ids)
    assert {"hälsa", "ledarskap", "digital", "körkort"} <= set(ext.topic_ids)
    assert len(ext.sources) == 2


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_user_extension_adds_and_replaces(tmp_path):
    path = write(tmp_path, "min.toml", '''
[taxonomy]
id = "min"
extends = "default"

[[topic]]
id = "körkort"
name = "Körkort"
examples = ["B-körkort för hemtjänstpersonal", "Körkortsutbildning för undersköterskor"]

[[topic]]
id = "språk"
name = "Svenska"
description = "Bara svenska språket."
''')
    tax = load_taxonomy(path)
    assert tax.topic_ids == (*SEED_TOPICS, "körkort")
    assert tax["språk"].name == "Svenska" and tax["språk"].examples == ()
    assert tax["bemötande"] == load_taxonomy("default")["bemötande"]


@pytest.mark.parametrize("body,match", [
    ('[[topic]]\nname = "x"\n', "needs a non-empty string 'id'"),
    ('[[topic]]\nid = "a"\nexamples = "inte en lista"\n', "must be a list of strings"),
    ('[[topic]]\nid = "a"\n', "needs a description or at least one example"),
    ('[[topic]]\nid = "a"\nexamples=["x"]\n[[topic]]\nid = "a"\nexamples=["y"]\n', "appears twice"),
    ('[[topic]]\nid = "a"\nexamples=["x"]\nexempel=["y"]\n', "unknown key"),
    ('[[topic]]\nid = "a"\nexamples=["x"]\n', "at least two topics"),
    ('[taxonomy]\nfallback = "zz"\n[[topic]]\nid = "a"\nexamples=["x"]\n[[topic]]\nid = "b"\nexamples=["y"]\n',
     "fallback 'zz'"),
    ("[[topic]\nid=", "not valid TOML"),
    ('[taxonomy]\nextends = "finns-inte"\n', "unknown taxonomy 'finns-inte'"),
])
def test_format_errors_say_what_is_wrong(tmp_path, body, match):
    with pytest.raises(TaxonomyError, match=match):
        load_taxonomy(write(tmp_path, "t.toml", body))


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.toml", '[taxonomy]\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", '[taxonomy]\nextends = "a.toml"\n')
    with pytest.raises(TaxonomyError, match="cycle"):
        load_taxonomy(tmp_path / "a.toml")


def test_unknown_name_lists_bundled():
    with pytest.raises(TaxonomyError, match="expected a bundled name"):
        load_taxonomy("finns-inte")
