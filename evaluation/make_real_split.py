"""Draw the fixed dev/sealed split of the real topic texts (run once; the result is committed).

    python evaluation/make_real_split.py [../shared/corpora/real_insatser_dev.csv]

Writes ``evaluation/data/real_insatser_split.csv``: one row per text of the real corpus with its
``id``, the source-page group (``url_group``: host + path of its URL, so two excerpts of one page,
or one page under two query strings, land on the same side), ``split`` (``dev`` or ``sealed``)
and the SHA-1 of its text (so a changed corpus is noticed). No text is copied.

The split is 5-fold StratifiedGroupKFold by main topic and group with a fixed seed; folds 0 and 1
are sealed (about 40 %), the rest dev. Rerunning it on the same corpus gives the same file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.model_selection import StratifiedGroupKFold  # noqa: E402

from kompred.modeling.topic.real import (  # noqa: E402
    default_real_path,
    text_sha1,
    url_group,
)

OUT = ROOT / "evaluation" / "data" / "real_insatser_split.csv"
SEED = 14  # the issue number; any fixed value would do


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else default_real_path()
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    groups = frame["url"].map(url_group)
    sealed = np.zeros(len(frame), dtype=bool)
    folds = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(folds.split(frame, frame["topic"], groups)):
        if k < 2:
            sealed[test] = True
    out = pd.DataFrame({"id": frame["id"], "url_group": groups,
                        "split": np.where(sealed, "sealed", "dev"),
                        "text_sha1": frame["text"].map(text_sha1)})
    out.to_csv(OUT, index=False, lineterminator="\n")
    print(f"{OUT.relative_to(ROOT)}: {len(out)} rows, "
          f"{out['split'].value_counts().to_dict()}, {groups.nunique()} source groups")
    print(pd.crosstab(frame["topic"], out["split"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
