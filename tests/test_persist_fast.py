"""kompred's own reader of its skops files (``modeling/_skops_read``, issue 13: a cold check).

The specification is ``skops.io.load`` with kompred's trusted list, kept here: every file the
reader reads must give the very same object (every attribute, array and shared object
compared); every file it does not fully cover, hostile or merely unusual, must
raise ``NotCovered`` before anything is created, and ``load_model`` then behaves as skops does.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import types
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from kompred import GrantModel, ModelError, SmallDataWarning, UntrustedModelError
from kompred.datasets import simulate
from kompred.modeling import _skops_read
from kompred.modeling.persist import bundled_model_path, load_model, save_model, trusted_types


def _skops_load(path):
    """What load_model did before the reader: skops with kompred's trusted list."""
    import skops.io as sio

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*Trying to unpickle estimator.*")
        return sio.load(path, trusted=sorted(trusted_types()))


def _read(path):
    return _skops_read.read(path, trusted_types())


_ATOMS = (str, bytes, int, float, complex, bool, type(None), np.generic)


def _assert_same(a, b, path="model", pairs=None):
    """The same object graph: types, values, arrays (dtype, shape, bits) and which mutable
    objects are shared. Atoms (str, numbers) compare by value: whether two equal strings are one
    object is up to the interpreter (two skops loads of one file differ there)."""
    pairs = ({}, {}) if pairs is None else pairs  # id in a -> id in b, and back
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, _ATOMS):
        assert a == b or (a != a and b != b), f"{path}: {a!r} != {b!r}"
        return
    if isinstance(a, (type, types.FunctionType, types.BuiltinFunctionType)):
        assert a is b, path
        return
    if id(a) in pairs[0] or id(b) in pairs[1]:  # met before: shared at the same places in both
        assert pairs[0].get(id(a)) == id(b) and pairs[1].get(id(b)) == id(a), \
            f"{path}: shared differently"
        return
    pairs[0][id(a)], pairs[1][id(b)] = id(b), id(a)
    if isinstance(a, np.ndarray):
        assert (a.dtype, a.shape) == (b.dtype, b.shape), path
        if a.dtype == object:
            for i, (x, y) in enumerate(zip(a.ravel().tolist(), b.ravel().tolist(), strict=True)):
                _assert_same(x, y, f"{path}[{i}]", pairs)
        else:
            assert a.tobytes() == b.tobytes(), path
    elif sp.issparse(a):
        assert (a.format, a.shape, a.dtype) == (b.format, b.shape, b.dtype), path
        for name in ("data", "indices", "indptr"):
            _assert_same(getattr(a, name), getattr(b, name), f"{path}.{name}", pairs)
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            _assert_same(a[k], b[k], f"{path}[{k!r}]", pairs)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{path}[{i}]", pairs)
    elif isinstance(a, slice):
        assert (a.start, a.stop, a.step) == (b.start, b.stop, b.step), path
    elif isinstance(a, pd.DataFrame):  # built by an estimator's __setstate__ from plain columns
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    else:
        _assert_same(vars(a), vars(b), f"{path}.__dict__", pairs)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Model files: the bundled two, a grant model with every optional part (sparse text index,
    object arrays, history), each also in the layout before compact files."""
    import kompred._compact as compact

    root = tmp_path_factory.mktemp("fast")
    sim = simulate(400, handler_sd=0.0, seed=3).applications
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        rich = GrantModel(n_bootstrap=3, similar_k=3, history_columns=("provider",),
                          calibration="sigmoid", random_state=0).fit(sim)
    topic = load_model(bundled_model_path("topic"))
    out = {"grant": bundled_model_path("grant") / "model.skops",
           "topic": bundled_model_path("topic") / "model.skops"}
    for name, model in (("rich", rich), ("topic-new", topic)):
        out[name] = save_model(model, root / name) / "model.skops"
    with pytest.MonkeyPatch.context() as mp:  # as files were written before the compact layout
        mp.setattr(compact, "pack_strings", lambda values: values)
        mp.setattr(compact, "pack_vectorizer", lambda vectorizer: vectorizer)
        for name, model in (("rich-old", rich), ("topic-old", topic)):
            out[name] = save_model(model, root / name) / "model.skops"
    return out


@pytest.mark.parametrize("name", ["grant", "topic", "rich", "topic-new", "rich-old", "topic-old"])
def test_the_reader_gives_what_skops_gives(files, name):
    fast, spec = _read(files[name]), _skops_load(files[name])
    _assert_same(fast, spec)


def test_the_same_predictions_as_skops(files):
    sim = simulate(60, seed=5).applications
    for name in ("grant", "rich", "rich-old"):
        np.testing.assert_array_equal(_read(files[name]).predict_proba(sim),
                                      _skops_load(files[name]).predict_proba(sim))
    texts = sim["description"].tolist()
    for name in ("topic", "topic-old"):
        np.testing.assert_array_equal(_read(files[name]).predict_proba(texts),
                                      _skops_load(files[name]).predict_proba(texts))


def test_a_check_with_the_bundled_models_never_imports_skops():
    code = ("import json, sys\nimport kompred\n"
            "kompred.check_application('Utbildning i lågaffektivt bemötande för personal.')\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'skops')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         timeout=300)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# ------------------------------------------------------------------ what the reader leaves to skops
def _rewrite(src, dst, edit=None, members=None):
    """A copy of a skops file with its schema edited (and members replaced or dropped)."""
    with zipfile.ZipFile(src) as zin:
        schema = json.loads(zin.read("schema.json"))
        contents = {n: zin.read(n) for n in zin.namelist() if n != "schema.json"}
    if edit is not None:
        edit(schema)
    for n, data in (members or {}).items():
        if data is None:
            contents.pop(n, None)
        else:
            contents[n] = data
    with zipfile.ZipFile(dst, "w") as zout:
        zout.writestr("schema.json", json.dumps(schema))
        for n, data in contents.items():
            zout.writestr(n, data)
    return dst


def _nodes(node, loader=None):
    """Every node of a schema (optionally of one loader), depth first."""
    if isinstance(node, dict):
        if "__loader__" in node and loader in (None, node["__loader__"]):
            yield node
        for value in node.values():
            yield from _nodes(value, loader)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value, loader)


def _first(schema, loader, **match):
    return next(n for n in _nodes(schema, loader) if all(n.get(k) == v for k, v in match.items()))


def _set(**values):
    def edit(schema):
        schema.update(values)
    return edit


def _object_as(module, name):
    def edit(schema):
        node = _first(schema, "ObjectNode", __class__="LogisticRegression")
        node.update(__module__=module, __class__=name)
    return edit


def _loader_as(loader, of="TfidfVectorizer"):
    def edit(schema):
        _first(schema, "ObjectNode", __class__=of)["__loader__"] = loader
    return edit


def _dict_as_ordered(schema):
    _first(schema, "DictNode").update(__module__="collections", __class__="OrderedDict")


def _type_as(module, name):
    def edit(schema):
        # the first type read (the root's first key type; later ones with its id are the same)
        schema["content"]["key_types"]["content"][0].update(__module__=module, __class__=name)
    return edit


def _key_type_points_at_a_function(schema):
    # a dict, read after the tokenizer function, whose key type is (by its id) that function:
    # calling it would run the function on the key
    function = _first(schema, "FunctionNode")
    function.setdefault("__id__", 987654321)
    attrs = schema["content"]
    attrs["content"]["zz_hostile"] = {
        "__loader__": "DictNode", "__module__": "builtins", "__class__": "dict",
        "content": {"x": {"__loader__": "JsonNode", "__module__": "builtins", "__class__": "str",
                          "content": '"y"'}},
        "key_types": {"__loader__": "ListNode", "__module__": "builtins", "__class__": "list",
                      "content": [{"__loader__": "TypeNode", "__module__": "builtins",
                                   "__class__": "str", "__id__": function["__id__"]}]}}
    attrs["key_types"]["content"].append(
        {"__loader__": "TypeNode", "__module__": "builtins", "__class__": "str"})


def _function_as(module, name):
    def edit(schema):
        _first(schema, "FunctionNode").update(__module__=module, __class__=name)
    return edit


def _cycle(schema):
    # the root object's attributes contain the root object itself
    attrs = schema["content"]["content"]
    first_key = next(iter(attrs))
    attrs[first_key] = {"__loader__": "ObjectNode", "__module__": schema["__module__"],
                        "__class__": schema["__class__"], "__id__": schema["__id__"]}


def _unknown_cached(schema):
    attrs = schema["content"]["content"]
    attrs[next(iter(attrs))] = {"__loader__": "CachedNode", "__module__": "builtins",
                                "__class__": "str", "__id__": 5}


def _array_named(schema, module, name):
    _first(schema, "NdArrayNode", type="numpy").update(__module__=module, __class__=name)


def _pickled_array():
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    return buffer.getvalue()


# case: (file, edit of its schema, why the reader leaves it to skops)
HOSTILE = {
    "protocol 1": ("grant", _set(protocol=1), "protocol 1"),
    "protocol 3": ("grant", _set(protocol=3), "protocol 3"),
    "protocol true": ("grant", _set(protocol=True), "protocol True"),
    "eval as an estimator": ("grant", _object_as("builtins", "eval"), "type builtins.eval"),
    "os.system as an estimator": ("grant", _object_as("os", "system"), "type os.system"),
    "an estimator skops trusts, not kompred's": ("grant", _object_as("sklearn.svm", "SVC"),
                                                 "type sklearn.svm.SVC"),
    "reduce node": ("grant", _loader_as("ReduceNode"), "node kind 'ReduceNode'"),
    "method node": ("grant", _loader_as("MethodNode"), "node kind 'MethodNode'"),
    "a loader named after the reader's own helpers": ("grant", _loader_as("check"),
                                                      "node kind 'check'"),
    "a loader named after a dunder": ("grant", _loader_as("_init__"), "node kind '_init__'"),
    "ordered dict": ("grant", _dict_as_ordered, "type collections.OrderedDict"),
    "eval as a type": ("grant", _type_as("builtins", "eval"), "type builtins.eval"),
    "a key type that is a function": ("topic", _key_type_points_at_a_function,
                                      "dict key types that are not a list of types"),
    "eval as a function": ("topic", _function_as("builtins", "eval"), "type builtins.eval"),
    "a kompred function off the list": ("topic", _function_as("kompred.io", "read_applications"),
                                        "type kompred.io.read_applications"),
    "an array named os.system": ("grant", lambda s: _array_named(s, "os", "system"),
                                 "type os.system"),
    "a cycle": ("grant", _cycle, "a reference cycle"),
    "an unknown cached object": ("grant", _unknown_cached, "a reference to an unknown object"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_anything_off_the_list_is_left_to_skops(files, tmp_path, case):
    source, edit, why = HOSTILE[case]
    path = _rewrite(files[source], tmp_path / "model.skops", edit)
    with pytest.raises(_skops_read.NotCovered, match=f"^{re.escape(why)}$"):
        _read(path)


def test_damaged_files_are_left_to_skops(files, tmp_path):
    with zipfile.ZipFile(files["grant"]) as zf:
        array = next(n for n in zf.namelist() if n.endswith(".npy"))
    cases = {
        "a pickled array": {array: _pickled_array()},
        "a missing array": {array: None},
        "a truncated array": {array: b"\x93NUMPY"},
    }
    for members in cases.values():
        path = _rewrite(files["grant"], tmp_path / "model.skops", members=members)
        with pytest.raises(_skops_read.NotCovered):
            _read(path)
    (tmp_path / "junk.skops").write_bytes(b"not a zip")
    with pytest.raises(_skops_read.NotCovered):
        _read(tmp_path / "junk.skops")


def _folder_with(files, tmp_path, edit=None, members=None, source="grant"):
    folder = tmp_path / "m"
    shutil.copytree(files[source].parent, folder)
    _rewrite(files[source], folder / "model.skops", edit, members)
    meta = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    meta["model_sha256"] = None
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", ["eval as an estimator", "os.system as an estimator",
                                  "eval as a type", "eval as a function",
                                  "a kompred function off the list", "an array named os.system"])
def test_load_model_still_refuses_what_skops_refuses(files, tmp_path, case):
    source, edit, _ = HOSTILE[case]
    folder = _folder_with(files, tmp_path, edit, source=source)
    with pytest.raises(UntrustedModelError, match="not on kompred's trusted list"):
        load_model(folder)


def test_load_model_still_refuses_a_pickled_array(files, tmp_path):
    with zipfile.ZipFile(files["grant"]) as zf:
        array = next(n for n in zf.namelist() if n.endswith(".npy"))
    folder = _folder_with(files, tmp_path, members={array: _pickled_array()})
    with pytest.raises(ModelError, match="not a readable skops model file"):
        load_model(folder)


def test_a_type_skops_trusts_by_default_still_loads_through_skops(files, tmp_path):
    from sklearn.preprocessing import StandardScaler

    model = load_model(bundled_model_path("grant"))
    model.extra_scaler_ = StandardScaler().fit(np.arange(6.0).reshape(3, 2))
    folder = save_model(model, tmp_path / "g")
    with pytest.raises(_skops_read.NotCovered, match="StandardScaler"):
        _read(folder / "model.skops")
    back = load_model(folder)  # no trust needed, as before: skops trusts its estimators
    assert isinstance(back.extra_scaler_, StandardScaler)
    _assert_same(back, _skops_load(folder / "model.skops"))
