"""Read kompred's own skops model files without importing skops (issue 13: a cold check).

``import skops.io`` lists every scikit-learn estimator when it is imported (``all_estimators()``
imports all of scikit-learn and, where they are installed, pytest and Dask): about 0.5 s of a
cold ``kompred check``, spent only to know which types skops trusts by default. kompred's model
files use a few of skops' node kinds and a few types. :func:`read` reads exactly those, with
skops' own rules for them (format protocol 2, what skops 0.16 writes), and nothing else:
a file with any other node kind, type, protocol or layout raises :class:`NotCovered`, and
:func:`kompred.modeling.persist.load_model` then hands it to skops as before, so it loads, or is
refused with the same message, as it always was.

Trust is narrower than skops' own, never wider: a file is read here only when every type in it
is on :data:`OBJECT_TYPES`, :data:`VALUE_TYPES` or the caller's list of kompred's own types, all
of which kompred's skops path trusts as well. The whole file is checked before any module is
imported or any object is created; arrays are read with ``allow_pickle=False``; nothing is
unpickled. ``tests/test_persist_fast.py`` compares every result with ``skops.io.load``.
"""

from __future__ import annotations

import io
import json
import zipfile
from importlib import import_module
from typing import Any

#: the skops format protocol read here (skops keeps each protocol's rules for its files)
PROTOCOL = 2

#: scikit-learn estimators kompred's models hold (each also in skops' default trusted list)
OBJECT_TYPES: frozenset[str] = frozenset({
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
})

#: types a file may name for a value: containers, key and parameter types, NumPy scalars, the
#: sparse text index (every one trusted by skops by default or by kompred's TRUSTED_TYPES)
VALUE_TYPES: frozenset[str] = frozenset({
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.slice",
    "builtins.str", "builtins.int", "builtins.float", "builtins.bool",
    "numpy.ndarray", "numpy.bool_", "numpy.float16", "numpy.float32", "numpy.float64",
    "numpy.int8", "numpy.int16", "numpy.int32", "numpy.int64",
    "numpy.uint8", "numpy.uint16", "numpy.uint32", "numpy.uint64",
    "scipy.sparse._csr.csr_matrix",
})  # fmt: skip

# the types a TypeNode may name (dict key types, dtype parameters)
_TYPE_NODE_TYPES = frozenset(t for t in VALUE_TYPES
                             if t.startswith("numpy.") and t != "numpy.ndarray") | {
    "builtins.str", "builtins.int", "builtins.float", "builtins.bool"}
_NUMPY_TYPES = frozenset(t for t in VALUE_TYPES if t.startswith("numpy."))


# skops' node kinds read here: one ``_Reader`` method each, named after it
_KINDS = frozenset({"ObjectNode", "DictNode", "ListNode", "TupleNode", "JsonNode", "TypeNode",
                    "SliceNode", "FunctionNode", "NdArrayNode", "SparseMatrixNode", "CachedNode"})


class NotCovered(Exception):
    """The file needs skops itself: another node kind, type, protocol, or a damaged file."""


def read(path, own_types: frozenset[str]) -> Any:
    """The object in a skops file whose every type this module covers.

    Parameters
    ----------
    path : path-like
        A ``model.skops`` file.
    own_types : frozenset of str
        kompred's own classes and functions that may appear (``persist.trusted_types()``).

    Raises
    ------
    NotCovered
        Anything this module does not read the way skops would; nothing has been created then
        unless the file's checked content failed while being built (skops fails there too).
    """
    try:
        with zipfile.ZipFile(path) as zf:
            schema = json.loads(zf.read("schema.json"))
            protocol = schema.get("protocol") if isinstance(schema, dict) else None
            if type(protocol) is not int or protocol != PROTOCOL:
                raise NotCovered(f"protocol {protocol!r}")
            root = _Reader(zf, own_types).tree(schema)  # every type checked, nothing created
    except NotCovered:
        raise
    except Exception as exc:  # a damaged zip, schema or member: skops says what is wrong
        raise NotCovered(str(exc)) from exc
    try:
        return root.construct()
    except NotCovered:
        raise
    except Exception as exc:  # e.g. a damaged array: skops fails the same way, and says so
        raise NotCovered(str(exc)) from exc


def _import(module: str, name: str) -> Any:
    return getattr(import_module(module), name)  # only ever called with a checked name


class _Node:
    """One object of the file: its node kind, its checked type, built once on demand."""

    __slots__ = ("kind", "items", "build", "busy", "done", "value")

    def __init__(self, kind: str):
        self.kind, self.items, self.build = kind, (), None
        self.busy, self.done, self.value = False, False, None

    def construct(self) -> Any:
        if self.done:
            return self.value
        if self.busy:  # a file that refers to an object inside itself: skops recurses forever
            raise NotCovered("a reference cycle")
        self.busy = True
        self.value, self.done, self.busy = self.build(), True, False
        return self.value


class _Reader:
    """skops' ``get_tree`` for the covered node kinds: the same order, memo and checks."""

    def __init__(self, zf: zipfile.ZipFile, own_types: frozenset[str]):
        self.zf, self.memo = zf, {}
        self.objects = OBJECT_TYPES | own_types
        self.functions = own_types

    def tree(self, state: Any) -> _Node:
        if not isinstance(state, dict):
            raise NotCovered("a node that is not a JSON object")
        saved_id = state.get("__id__")
        if saved_id in self.memo:  # the same object again (skops: memo before the loader)
            return self.memo[saved_id]
        loader = state.get("__loader__")
        if not isinstance(loader, str) or loader not in _KINDS:
            raise NotCovered(f"node kind {loader!r}")
        method = getattr(self, f"_{loader}")
        module, name = state.get("__module__"), state.get("__class__")
        if not isinstance(module, str) or not isinstance(name, str):
            raise NotCovered("a node without a type")
        node = _Node(loader)
        if saved_id:
            self.memo[saved_id] = node  # before the children, as skops does
        method(node, state, f"{module}.{name}", module, name)
        return node

    def _check(self, full: str, allowed: frozenset[str]) -> None:
        if full not in allowed:
            raise NotCovered(f"type {full}")

    def _file(self, state: dict) -> bytes:
        name = state.get("file")
        if not isinstance(name, str):
            raise NotCovered("an array without its file")
        return self.zf.read(name)

    # one method per kind in _KINDS, named after skops' loader; each mirrors its _construct
    def _ObjectNode(self, node, state, full, module, name):
        self._check(full, self.objects)
        content = state.get("content")
        attrs = None if content is None else self.tree(content)

        def build():
            cls = _import(module, name)
            instance = cls.__new__(cls)
            if attrs is None:
                return instance
            values = attrs.construct()
            if values is not None:
                if hasattr(instance, "__setstate__"):
                    instance.__setstate__(values)
                else:
                    instance.__dict__.update(values)
            return instance

        node.build = build

    def _DictNode(self, node, state, full, module, name):
        self._check(full, frozenset({"builtins.dict"}))
        key_types = self.tree(state["key_types"])
        # keys are made by calling these: only types (str, int, ...), checked on the nodes
        # themselves, since an id in the file can point at any earlier node
        if key_types.kind != "ListNode" or any(k.kind != "TypeNode" for k in key_types.items):
            raise NotCovered("dict key types that are not a list of types")
        content = {key: self.tree(value) for key, value in state["content"].items()}

        def build():
            out = {}
            # skops' zip: a shorter list of key types drops the remaining entries
            for key_type, (key, value) in zip(key_types.construct(), content.items(),
                                              strict=False):
                out[key_type(key)] = value.construct()
            return out

        node.build = build

    def _ListNode(self, node, state, full, module, name):
        self._check(full, frozenset({"builtins.list"}))
        items = node.items = [self.tree(value) for value in state["content"]]
        node.build = lambda: [item.construct() for item in items]

    def _TupleNode(self, node, state, full, module, name):
        self._check(full, frozenset({"builtins.tuple"}))  # not a namedtuple
        items = [self.tree(value) for value in state["content"]]
        node.build = lambda: tuple(item.construct() for item in items)

    def _JsonNode(self, node, state, full, module, name):
        content = state["content"]  # plain JSON: no type is created
        node.build = lambda: json.loads(content)

    def _TypeNode(self, node, state, full, module, name):
        self._check(full, _TYPE_NODE_TYPES)
        node.build = lambda: _import(module, name)

    def _SliceNode(self, node, state, full, module, name):
        self._check(full, frozenset({"builtins.slice"}))
        content = state["content"]
        start, stop, step = content["start"], content["stop"], content["step"]
        node.build = lambda: slice(start, stop, step)

    def _FunctionNode(self, node, state, full, module, name):
        self._check(full, self.functions)
        node.build = lambda: _import(module, name)

    def _NdArrayNode(self, node, state, full, module, name):
        self._check(full, _NUMPY_TYPES)
        kind = state.get("type")
        if kind == "numpy":
            data = self._file(state)

            def build():
                import numpy as np

                content = np.load(io.BytesIO(data), allow_pickle=False)
                return content if full == "numpy.ndarray" else _import(module, name)(content)

        elif kind == "json" and full == "numpy.ndarray":
            items = [self.tree(value) for value in state["content"]]
            shape = self.tree(state["shape"])

            def build():
                import numpy as np

                dims = shape.construct()
                values = [item.construct() for item in items]
                if len(dims) == 1:
                    out = np.ndarray(shape=len(values), dtype="O")
                    for i, value in enumerate(values):
                        out[i] = value
                    return out
                return np.array(values, dtype="O")

        else:
            raise NotCovered(f"an array stored as {kind!r}")
        node.build = build

    def _SparseMatrixNode(self, node, state, full, module, name):
        self._check(full, frozenset({"scipy.sparse._csr.csr_matrix"}))
        if state.get("type") != "scipy":
            raise NotCovered("a sparse matrix not stored by scipy")
        data = self._file(state)

        def build():
            from scipy.sparse import load_npz  # NumPy's loader, allow_pickle=False

            return load_npz(io.BytesIO(data))

        node.build = build

    def _CachedNode(self, node, state, full, module, name):
        raise NotCovered("a reference to an unknown object")  # a known one is a memo hit
