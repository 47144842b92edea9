"""kompred model inspect DIR / convert DIR: what a model folder holds, without running it."""

from __future__ import annotations

import json
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "model", help="inspect a model folder (types, versions, column mapping, training data) "
        "without loading it, or convert an old joblib model",
        description="'inspect' reads a model folder's metadata and the list of types its files "
        "would create, without loading anything; 'convert' rewrites an old joblib (pickle) model "
        "as a skops file (it loads the pickle, so it needs --trust), and a skops model saved by an "
        "older kompred in the current layout, which loads faster (the same model; a file with "
        "types outside the trusted list needs --trust).")
    p.add_argument("action", choices=("inspect", "convert"))
    p.add_argument("folder", help="a model folder (from 'kompred train', or one of its parts)")
    p.add_argument("--json", action="store_true", help="print the inspection as JSON")
    p.add_argument("--trust", action="store_true",
                   help="convert: you trust the source of the joblib file (loading it can run code)")
    p.set_defaults(func=run)


def _parts(folder: Path) -> list[Path]:
    """The model folder itself, or its grant/ and topic/ parts."""
    from ..modeling.persist import has_model

    if has_model(folder):
        return [folder]
    parts = [folder / name for name in ("grant", "topic") if has_model(folder / name)]
    if not parts:
        from ..exceptions import InputFileError

        raise InputFileError(f"{folder}: no model files here (expected model.skops, or grant/ "
                             "and topic/ folders written by 'kompred train')")
    return parts


def _describe(info: dict) -> list[str]:
    meta = info["metadata"]
    lines = [f"{info['folder']}: {meta.get('model_class', '?')} ({info['format']}, "
             f"{info['size_bytes'] / 1e6:.1f} MB, checksum {'ok' if info['sha256_ok'] else 'WRONG'})",
             f"  made with kompred {meta.get('kompred_version')}, scikit-learn "
             f"{meta.get('sklearn_version')}, Python {meta.get('python_version')}, "
             f"on {meta.get('created')}"]
    if meta.get("training_rows") is not None:
        lines.append(f"  trained on {meta['training_rows']} rows (data fingerprint "
                     f"{str(meta.get('training_data_sha256'))[:16]}…)")
    inputs = meta.get("inputs") or {}
    if inputs.get("period"):
        lines.append(f"  training period: {inputs['period']['first']} to {inputs['period']['last']}")
    if inputs.get("columns"):
        lines.append("  column mapping: " + ", ".join(f"{h!r} -> {c}" for h, c in
                                                      inputs["columns"].items()))
    used = [i for i in inputs.get("inputs") or () if i.get("role")]
    if used:
        lines.append("  inputs the model uses (share missing in training):")
        lines += [f"    {i['name']} ({i['kind']}, {i['role']}): {i['missing_share']:.0%}" for i in used]
    if info["types"] is not None:
        lines.append(f"  types in the file ({len(info['types'])}): " + ", ".join(info["types"]))
    if info["untrusted_types"]:
        lines.append("  NOT on kompred's trusted list: " + ", ".join(info["untrusted_types"]) +
                     " -- load only with --trust, if you trust the source")
    else:
        lines.append("  every type is on kompred's trusted list: loads without --trust")
    return lines


def run(args) -> int:
    from ..modeling.persist import convert_model, inspect_model, rewrite_model

    folder = Path(args.folder)
    if args.action == "convert":
        for part in _parts(folder):
            if (part / "model.joblib").exists():
                convert_model(part, trusted=args.trust)
                print(f"{part}: converted to model.skops")
            else:  # saved by an older kompred, it may load slowly: same model, current layout
                rewrite_model(part, trusted=args.trust)
                print(f"{part}: rewritten as model.skops in the current layout")
        return 0
    infos = [inspect_model(part) for part in _parts(folder)]
    if args.json:
        print(json.dumps(infos if len(infos) > 1 else infos[0], ensure_ascii=False, indent=2))
    else:
        print("\n".join(line for info in infos for line in _describe(info)))
    return 0
