"""The layout keeps its promises: no import cycles, and domain facts written only in schema/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kompred"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """kompred modules imported at module level (imports inside functions are deliberate)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("kompred"):
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("kompred"))
    return out


def test_no_import_cycles_between_modules():
    files = {_module_name(p): p for p in SRC.rglob("*.py")}
    graph = {m: {i for i in _top_level_imports(p) if i in files and i != m} for m, p in files.items()}
    # a package's __init__ importing its own submodules is how the flat namespace is built
    for m in graph:
        graph[m] = {i for i in graph[m] if not (files[m].name == "__init__.py" and i.startswith(m + "."))}
    for m in list(graph):
        graph[m] = {i for i in graph[m] if not i.startswith(m + ".") or files[m].name != "__init__.py"}
    seen, stack, cycles = set(), [], []

    def visit(m):
        if m in stack:
            cycles.append(stack[stack.index(m):] + [m])
            return
        if m in seen:
            return
        seen.add(m)
        stack.append(m)
        for n in sorted(graph[m]):
            # importing a submodule runs its package's __init__ first
            visit(n)
        stack.pop()

    for m in sorted(graph):
        visit(m)
    assert not cycles, cycles[:3]


def test_agreement_dates_and_decision_words_live_only_in_schema():
    date_re = re.compile(r"date\(20(17|20|22), (1|5|10), 1\)|\"20(20-05|22-10)-01\"")
    decision_re = re.compile(r"== \"(beviljad|avslag)\"|\{\"beviljad\", \"avslag\"\}")
    offenders = []
    for p in SRC.rglob("*.py"):
        if "schema" in p.relative_to(SRC).parts or p.name == "_simulate.py":
            continue
        code = "\n".join(line for line in p.read_text(encoding="utf-8").splitlines()
                         if not line.lstrip().startswith(("#", ">>>", "...")))
        for rx in (date_re, decision_re):
            offenders += [f"{p.relative_to(SRC)}: {m.group(0)}" for m in rx.finditer(code)]
    assert not offenders
