"""Topic taxonomies as data.

A taxonomy is a TOML file (read with the standard library's :mod:`tomllib`): a ``[taxonomy]``
table and one ``[[topic]]`` table per topic with ``id``, ``name``, ``description``,
``seed_examples``, ``examples`` and ``keywords``. A taxonomy may ``extends = "default"`` (a bundled
name, or a path relative to the file): it then adds its topics to the parent's, and a topic with an
id the parent already has replaces the parent's topic entirely. Adding a topic needs no code.

>>> tax = load_taxonomy("default")
>>> tax.topic_ids
('yrkesutbildning', 'språk', 'bemötande', 'blandat', 'äldre')
>>> ext = load_taxonomy("extended")
>>> len(ext.topic_ids) > len(tax.topic_ids)
True
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .exceptions import TaxonomyError

__all__ = ["Taxonomy", "Topic", "bundled_taxonomies", "load_taxonomy"]


@dataclass(frozen=True)
class Topic:
    """One topic: its id, Swedish name, description, examples and keywords."""

    id: str
    name: str
    description: str = ""
    seed_examples: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()

    def training_texts(self) -> list[str]:
        """Texts that stand for this topic as weak supervision (description, examples)."""
        texts = [*self.seed_examples, *self.examples]
        if self.description:
            texts.append(self.description)
        return texts


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of topics, loaded from one or more TOML files."""

    id: str
    name: str
    topics: tuple[Topic, ...]
    version: str = "1"
    description: str = ""
    fallback: str | None = None
    sources: tuple[str, ...] = field(default=())

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def __getitem__(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise KeyError(f"no topic {topic_id!r} in taxonomy {self.id!r}; topics: {list(self.topic_ids)}")

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self.topic_ids

    def __len__(self) -> int:
        return len(self.topics)

    def to_dict(self) -> dict:
        """A JSON-ready summary (ids, names, example counts)."""
        return {"id": self.id, "name": self.name, "version": self.version,
                "topics": [{"id": t.id, "name": t.name, "n_examples": len(t.examples)} for t in self.topics]}


def bundled_taxonomies() -> list[str]:
    """Names of the taxonomies that ship with kompred."""
    folder = resources.files("kompred") / "taxonomies"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _resolve(name_or_path: str | os.PathLike, base: Path | None = None) -> Path:
    text = str(name_or_path)
    candidate = Path(text)
    if base is not None and not candidate.is_absolute() and (base / candidate).exists():
        return base / candidate
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.exists():
            raise TaxonomyError(f"taxonomy file {text!r} does not exist")
        return candidate
    bundled = resources.files("kompred") / "taxonomies" / f"{text}.toml"
    if bundled.is_file():
        return Path(str(bundled))
    raise TaxonomyError(
        f"unknown taxonomy {text!r}; expected a bundled name ({', '.join(bundled_taxonomies())}) "
        "or the path of a .toml file"
    )


def _str_list(value: object, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TaxonomyError(f"{where}: {key!r} must be a list of strings, got {type(value).__name__}")
    return tuple(v.strip() for v in value if v.strip())


def _parse_topics(raw: dict, where: str) -> list[Topic]:
    topics = raw.get("topic", [])
    if not isinstance(topics, list):
        raise TaxonomyError(f"{where}: expected [[topic]] tables, got {type(topics).__name__}")
    out: list[Topic] = []
    seen: set[str] = set()
    for i, t in enumerate(topics, start=1):
        here = f"{where}, topic #{i}"
        if not isinstance(t, dict) or not isinstance(t.get("id"), str) or not t["id"].strip():
            raise TaxonomyError(f"{here}: every [[topic]] needs a non-empty string 'id'")
        tid = t["id"].strip().lower()
        if tid in seen:
            raise TaxonomyError(f"{here}: topic id {tid!r} appears twice in the same file")
        seen.add(tid)
        unknown = set(t) - {"id", "name", "description", "seed_examples", "examples", "keywords"}
        if unknown:
            raise TaxonomyError(f"{here} ({tid}): unknown key(s) {sorted(unknown)}; expected id, name, "
                                "description, seed_examples, examples, keywords")
        topic = Topic(
            id=tid, name=str(t.get("name", tid)), description=str(t.get("description", "")).strip(),
            seed_examples=_str_list(t.get("seed_examples"), here, "seed_examples"),
            examples=_str_list(t.get("examples"), here, "examples"),
            keywords=tuple(k.lower() for k in _str_list(t.get("keywords"), here, "keywords")),
        )
        if not topic.training_texts():
            raise TaxonomyError(f"{here} ({tid}): a topic needs a description or at least one example")
        out.append(topic)
    return out


def load_taxonomy(name_or_path: str | os.PathLike | Taxonomy = "default", *, _seen=None) -> Taxonomy:
    """Load a bundled taxonomy by name (``"default"``, ``"extended"``) or a TOML file by path.

    Raises
    ------
    TaxonomyError
        The file is missing, is not valid TOML, or breaks the format (the message says where).
    """
    if isinstance(name_or_path, Taxonomy):
        return name_or_path
    path = _resolve(name_or_path)
    _seen = set() if _seen is None else _seen
    key = str(path.resolve())
    if key in _seen:
        raise TaxonomyError(f"{path}: 'extends' forms a cycle")
    _seen.add(key)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid TOML: {exc}") from exc
    head = raw.get("taxonomy", {})
    if not isinstance(head, dict):
        raise TaxonomyError(f"{path}: expected a [taxonomy] table")
    topics = _parse_topics(raw, str(path))
    sources = (str(path),)
    fallback = head.get("fallback")
    if head.get("extends"):
        parent = load_taxonomy(_resolve(head["extends"], base=path.parent), _seen=_seen)
        merged = {t.id: t for t in parent.topics}
        for t in topics:
            merged[t.id] = t  # same id: the extension's topic replaces the parent's
        topics = list(merged.values())
        sources = parent.sources + sources
        fallback = fallback or parent.fallback
    if len(topics) < 2:
        raise TaxonomyError(f"{path}: a taxonomy needs at least two topics, got {len(topics)}")
    if fallback is not None and fallback not in {t.id for t in topics}:
        raise TaxonomyError(f"{path}: fallback {fallback!r} is not one of the topics")
    return Taxonomy(
        id=str(head.get("id", path.stem)), name=str(head.get("name", path.stem)),
        topics=tuple(topics), version=str(head.get("version", "1")),
        description=str(head.get("description", "")).strip(), fallback=fallback, sources=sources,
    )
