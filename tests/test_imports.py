"""``import kompred`` stays light: the flat namespace resolves on first use (issue 13).

Behaviour only, never time: each check runs a fresh interpreter and reads ``sys.modules``; the
seconds are measured in ``benchmarks/`` (``python -m benchmarks --only startup``).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import kompred

INIT = Path(kompred.__file__)
HEAVY = ("sklearn", "scipy", "pandas", "spacy", "skops", "numpy")


def _run(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON document as its last line."""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _heavy_loaded_after(statement: str) -> list[str]:
    code = (f"import json, sys\n{statement}\n"
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))")
    return _run(code)


@pytest.mark.parametrize("statement", [
    "import kompred",
    "import kompred.exceptions",
    "from kompred import KompredError, ValidationError, ModelError, UntrustedModelError",
    "import kompred; kompred.__version__; dir(kompred)",
    "from kompred.cli import build_parser; build_parser()",  # what `kompred --help` does
])
def test_light_imports_do_not_load_the_heavy_libraries(statement):
    assert _heavy_loaded_after(statement) == []


def test_kompred_help_and_version_run_without_the_heavy_libraries():
    # the console script's own path: parse --version (argparse exits 0 after printing it)
    code = ("import json, sys\nfrom kompred.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit as e:\n    code = e.code\n"
            f"print(json.dumps([code, sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})]))")
    assert _run(code) == [0, []]


def test_every_public_name_resolves_and_loads_what_it_needs():
    code = ("import json, sys, kompred\n"
            "missing = [n for n in kompred.__all__ if getattr(kompred, n, None) is None]\n"
            "print(json.dumps([missing, 'sklearn' in sys.modules]))")
    missing, sklearn_loaded = _run(code)
    assert missing == []
    assert sklearn_loaded  # the models did need scikit-learn: the names are real, not placeholders


@pytest.mark.parametrize("name", kompred.__all__)
def test_from_kompred_import_each_public_name(name):
    namespace: dict = {}
    exec(f"from kompred import {name}", namespace)  # the statement users write
    assert namespace[name] is getattr(kompred, name)


def test_star_import_gives_all_public_names():
    namespace: dict = {}
    exec("from kompred import *", namespace)
    assert set(kompred.__all__) <= set(namespace)


def test_dir_lists_the_public_names_and_submodules():
    listed = dir(kompred)
    assert set(kompred.__all__) <= set(listed)
    assert {"io", "consistency", "exceptions", "cli"} <= set(listed)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        kompred.not_a_name  # noqa: B018


def _type_checking_imports() -> dict[str, str]:
    """name -> module of every ``from .x import name`` inside ``if TYPE_CHECKING:``."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If)
                 and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING")
    out = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            out.update({a.name: f"kompred.{node.module}" for a in node.names})
    return out


def test_type_checking_block_matches_the_lazy_table_and_all():
    # what IDEs and type checkers see is what __getattr__ gives at run time
    seen = _type_checking_imports()
    assert seen == {**kompred._LAZY, "NotFittedError": "kompred.exceptions"}
    exported = set(kompred.__all__)
    assert set(kompred._LAZY) <= exported
    # every exported name is either imported eagerly (light) or resolved lazily
    eager = {n for n in exported if n in vars(kompred) and n not in kompred._LAZY}
    assert exported == eager | set(kompred._LAZY) | {"NotFittedError"}


def test_not_fitted_error_is_still_scikit_learns_and_kompreds():
    code = (
        "import json, sys\n"
        "import kompred.exceptions as ex\n"
        "before = 'sklearn' in sys.modules\n"
        "import kompred\n"
        "from sklearn.exceptions import NotFittedError as SkNotFitted\n"
        "cls = kompred.NotFittedError\n"
        "try:\n"
        "    raise ex.NotFittedError('not fitted')\n"
        "except SkNotFitted as exc:\n"
        "    caught = type(exc) is cls\n"
        "import pickle\n"
        "again = type(pickle.loads(pickle.dumps(cls('x')))) is cls\n"
        "print(json.dumps([before, caught, again, cls is ex.NotFittedError,\n"
        "                  issubclass(cls, ex.ModelError), issubclass(cls, ValueError),\n"
        "                  cls.__module__, cls.__qualname__]))")
    before, caught, again, same, model_error, value_error, module, qualname = _run(code)
    assert not before  # importing the exceptions module did not import scikit-learn
    assert caught and again and same and model_error and value_error
    assert (module, qualname) == ("kompred.exceptions", "NotFittedError")


def test_not_fitted_error_is_one_class_across_threads():
    code = (
        "import json, threading\n"
        "import kompred.exceptions as ex\n"
        "got = []\n"
        "ts = [threading.Thread(target=lambda: got.append(ex.NotFittedError)) for _ in range(8)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print(json.dumps(len({id(c) for c in got})))")
    assert _run(code) == 1


def test_unknown_exception_name_is_an_attribute_error():
    import kompred.exceptions as ex

    with pytest.raises(AttributeError, match="no attribute 'NoSuchError'"):
        ex.NoSuchError  # noqa: B018
    assert "NotFittedError" in dir(ex)


def test_loading_the_default_models_leaves_spacy_for_the_first_text():
    # spaCy (a second to import) is needed by the topic model's word tokens, not by its load
    code = (
        "import json, sys\n"
        "from kompred.scoring import load_scorer\n"
        "scorer = load_scorer()\n"
        "loaded = 'spacy' in sys.modules\n"
        "topic = scorer.topic_model.predict(['Kurs i lågaffektivt bemötande för personalen'])\n"
        "print(json.dumps([loaded, 'spacy' in sys.modules, list(topic)]))")
    loaded, after, topic = _run(code)
    assert not loaded and after and len(topic) == 1
