"""kompred against the plain scikit-learn (and cleanlab) floor: one command, one table.

Run from the repository root (on demand, never in the unit tests)::

    python -m benchmarks                       # N = 2,000 and 10,000, a few minutes on 2 cores
    python -m benchmarks --sizes 1000          # quicker
    python -m benchmarks --sizes 2000 10000 37000 100000 --pairs-max 10000   # the issue's scale

Every kompred operation is timed beside a baseline run in the same process on the same input:

- texts: real Swedish regeringen.se texts (``../shared/corpora/g0vse_regeringen.csv.gz``: the
  page's summary, or its text cut to 1-5 sentences; above the corpus's 37,254 rows they are
  resampled with one word dropped; Källa: regeringen.se, via g0vse), put into the simulator's
  application tables (``kompred.simulate``: structured columns, decisions and handlers are
  synthetic). Without the corpus the simulator's own texts are used and the table says so;
- the scoring floor: a plain ``TfidfVectorizer(char_wb 2-5) + LogisticRegression`` fitted on
  the bundled applications' decisions, ``predict_proba`` on the same texts;
- the exact-search floor: ``sklearn.neighbors.NearestNeighbors(metric="cosine",
  algorithm="brute")`` on kompred's own TF-IDF matrix (recall of kompred's top-k against it);
- cleanlab ``Datalab`` (label and near_duplicate issues on a 100-dimensional SVD of the same
  TF-IDF, with the same content probabilities) beside kompred's divergent pairs, up to
  ``--pairs-max`` rows, when cleanlab is installed (the ``eval`` extra).

Time is wall-clock (``time.perf_counter``), one run per cell after a warm-up on 50 rows, so
ratios (``×``) say more than seconds on a shared machine. Peak memory is the growth of the
process's resident set during the step, sampled every 5 ms by a thread (numpy, scipy and Python
allocations alike). Startup figures (``import kompred``, a cold check, ``kompred check`` as a
command) run in a new process (best of 3; the cold checks also give that run's CPU time).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import re
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CORPUS = Path(os.environ.get("KOMPRED_SHARED", Path(__file__).resolve().parents[2] / "shared")) \
    / "corpora" / "g0vse_regeringen.csv.gz"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpora/g0vse_regeringen.csv.gz")

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


# ---------------------------------------------------------------------------------------------
# measuring
# ---------------------------------------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class _PeakRSS:
    """Peak growth of the resident set while the block runs (sampled by a thread)."""

    def __enter__(self):
        gc.collect()
        self.base = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss_mb())
        self.mb = self.peak - self.base
        return False


def measure(fn):
    """(result, seconds, peak MB) of one call."""
    with _PeakRSS() as m:
        t0 = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - t0
    return out, seconds, m.mb


def in_new_process(code: str, repeat: int = 3) -> float:
    """Best wall time of ``python -c code`` (interpreter start included)."""
    return new_process_times(["-c", code], repeat)[0]


def new_process_times(args: list[str], repeat: int = 3) -> tuple[float, float]:
    """Best wall time of ``python *args`` in a new process, and the CPU time (user + system) of
    that run: on a shared machine the CPU time moves less with the other sessions' load."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before = os.times()
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
        wall = time.perf_counter() - t0
        after = os.times()
        cpu = (after.children_user - before.children_user) + (after.children_system
                                                              - before.children_system)
        best = min(best, (wall, cpu))
    return best


@dataclass
class Row:
    operation: str
    n: int
    seconds: float
    mb: float | None
    baseline: str = ""
    base_seconds: float | None = None
    base_mb: float | None = None
    target: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.base_seconds is None or self.base_seconds <= 0:
            return None
        return self.seconds / self.base_seconds


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


def real_texts(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(titles, texts): summaries, or page texts cut to 1-5 sentences; resampled above 37k."""
    frame = pd.read_csv(CORPUS, usecols=["title", "text", "summary"], dtype=str)
    rng = np.random.default_rng(seed)
    texts = []
    for summary, text in zip(frame["summary"], frame["text"].fillna(""), strict=True):
        if isinstance(summary, str) and summary.strip():
            texts.append(" ".join(summary.split()))
        else:
            sentences = _SENTENCE.split(" ".join(text.split()))
            texts.append(" ".join(sentences[: int(rng.integers(1, 6))])[:2000])
    titles = frame["title"].fillna("").tolist()
    order = rng.permutation(len(texts))
    pick = np.concatenate([order] * (n // len(order) + 1))[:n]
    out_titles, out_texts = [], []
    for j, i in enumerate(pick):
        t = texts[i]
        if j >= len(order):  # a resampled copy: drop one word so it is not an exact duplicate
            words = t.split()
            if len(words) > 2:
                del words[int(rng.integers(len(words)))]
            t = " ".join(words)
        out_titles.append(titles[i])
        out_texts.append(t)
    return out_titles, out_texts


def application_table(n: int, *, real: bool, seed: int = 0) -> pd.DataFrame:
    """The simulator's applications (decisions, handlers), with real texts when available."""
    import kompred

    apps = kompred.simulate(n, seed=seed).applications
    if real:
        titles, texts = real_texts(n, seed=seed)
        apps["title"] = pd.array(titles, dtype="str")
        apps["description"] = pd.array(texts, dtype="str")
    return apps


def to_score(apps: pd.DataFrame) -> pd.DataFrame:
    """The table as a user would score it: no decision, handler or true topic."""
    import kompred

    return kompred.validate_applications(apps.drop(
        columns=["decision", "decision_date", "granted_sek", "handler", "topic"]))


def plain_pipeline():
    """The floor: char_wb 2-5 TF-IDF + LogisticRegression on the bundled decisions."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    import kompred
    from kompred.featurize import join_texts

    train = kompred.load_stockholm()
    train = train[train["decision"].isin(["beviljad", "avslag"])]
    texts = [join_texts(t, d) for t, d in zip(train["title"], train["description"], strict=True)]
    pipe = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                        dtype=np.float32),
        LogisticRegression(max_iter=2000))
    return pipe.fit(texts, train["decision"].astype(str).to_numpy())


# ---------------------------------------------------------------------------------------------
# the benchmark
# ---------------------------------------------------------------------------------------------


def bench_startup(rows: list[Row]) -> None:
    from kompred.check import check_application
    from kompred.scoring import load_scorer

    text = ("Utbildning i lågaffektivt bemötande för personal på gruppbostäder, två dagar "
            "med extern föreläsare.")
    t_imp = in_new_process("import kompred")
    t_skl = in_new_process("import sklearn.linear_model, sklearn.feature_extraction.text")
    t_py = in_new_process("pass")
    rows.append(Row("import kompred (new process, minus bare python)", 1, t_imp - t_py, None,
                    "import sklearn (LR + text)", t_skl - t_py, None, "≤ 0.3 s"))
    t_help = in_new_process("from kompred.cli import main\ntry:\n    main(['--help'])\n"
                            "except SystemExit:\n    pass")
    rows.append(Row("kompred --help (new process, minus bare python)", 1, t_help - t_py, None,
                    "import sklearn (LR + text)", t_skl - t_py, None, ""))
    import joblib

    pipe = plain_pipeline()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "kompred-bench-pipe.joblib"
    joblib.dump(pipe, path)
    _, t_load, m_load = measure(load_scorer)
    _, t_jl, m_jl = measure(lambda: joblib.load(path))
    rows.append(Row("load default models (load_scorer), first in the process", 1, t_load, m_load,
                    "joblib.load(plain pipeline)", t_jl, m_jl, "",
                    "includes importing the estimators' modules (not skops: kompred reads its own "
                    "files)"))
    # the models alone: skops and the estimators' modules are imported by now (best of 3)
    t_again = min(measure(load_scorer)[1] for _ in range(3))
    t_jl_again = min(measure(lambda: joblib.load(path))[1] for _ in range(3))
    rows.append(Row("load default models (load_scorer), again", 1, t_again, None,
                    "joblib.load(plain pipeline)", t_jl_again, None, "≤ 0.5 s"))
    scorer = load_scorer()
    check_application(text, scorer=scorer)
    best = min(measure(lambda: check_application(text, scorer=scorer))[1] for _ in range(3))
    t_pp = min(measure(lambda: pipe.predict_proba([text]))[1] for _ in range(3))
    rows.append(Row("check_application, warm (models loaded)", 1, best, None,
                    "plain predict_proba, 1 text", t_pp, None, "≤ 0.3 s"))
    cold, cold_cpu = new_process_times(
        ["-c", "import kompred; kompred.check_application(" + repr(text) + ")"])
    floor, floor_cpu = new_process_times(
        ["-c", f"import joblib; joblib.load({str(path)!r}).predict_proba([{text!r}])"])
    rows.append(Row("check_application, cold (new process)", 1, cold, None,
                    "import + predict_proba, new process", floor, None, "≤ 3 s",
                    f"CPU {cold_cpu:.2f} s (baseline {floor_cpu:.2f} s)"))
    # what an HR officer waits for: the console script's own path (kompred.cli:console_main)
    cli, cli_cpu = new_process_times(["-m", "kompred.cli", "check", "--text", text, "--no-color"])
    rows.append(Row("kompred check --text (CLI, new process)", 1, cli, None,
                    "import + predict_proba, new process", floor, None, "≤ 3 s",
                    f"CPU {cli_cpu:.2f} s (baseline {floor_cpu:.2f} s)"))


def _forget_texts() -> None:
    """Empty kompred's per-word caches, so that no step is timed on words an earlier step of
    this benchmark already analysed (every step scores the same texts); the cost of filling
    them is then part of each measurement, as in a batch that sees its texts once."""
    from kompred.text import _fastchar, explain, normalize

    _fastchar.clear_caches()
    normalize._normalize.cache_clear()
    for fn in vars(explain).values():
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()


def measure_cold(fn):
    _forget_texts()
    return measure(fn)


def bench_scoring(rows: list[Row], n: int, real: bool, pipe) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from kompred.featurize import TextFeaturizer, join_texts
    from kompred.scoring import load_scorer, score_applications

    apps = to_score(application_table(n, real=real))
    texts = [join_texts(t, d) for t, d in zip(apps["title"], apps["description"], strict=True)]
    scorer = load_scorer()
    score_applications(apps.head(50), scorer)  # warm-up (lazy imports, spaCy, caches)
    pipe.predict_proba(texts[:50])
    _, tb, mb = measure(lambda: pipe.predict_proba(texts))
    floor = "plain TF-IDF+LR predict_proba"

    _, t, m = measure_cold(lambda: TextFeaturizer().fit_transform(apps))
    _, t0, m0 = measure(lambda: TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                                sublinear_tf=True).fit_transform(texts))
    rows.append(Row("vectorize (TextFeaturizer.fit_transform)", n, t, m,
                    "TfidfVectorizer.fit_transform", t0, m0))
    _, t, m = measure_cold(lambda: scorer.topic_model.predict_details(texts))
    rows.append(Row("topic scoring (predict_details)", n, t, m, floor, tb, mb))
    gm = scorer.grant_model
    frame = apps.assign(topic=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, t, m = measure_cold(lambda: gm.predict_interval(frame))
        rows.append(Row("grant probability + interval", n, t, m, floor, tb, mb))
        _, t, m = measure_cold(lambda: gm.explain(frame, top=3))
        rows.append(Row("grant reasons (explain, top 3)", n, t, m, floor, tb, mb))
    _, t, m = measure_cold(lambda: scorer.similar(apps, k=scorer.k_similar + 1))
    rows.append(Row("similar earlier applications", n, t, m, floor, tb, mb))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, t, m = measure_cold(lambda: score_applications(apps, scorer, reasons=0))
        rows.append(Row("score_applications, no reasons", n, t, m, floor, tb, mb, "≤ 1.2×"))
        _, t, m = measure_cold(lambda: score_applications(apps, scorer, reasons=3))
        rows.append(Row("score_applications, 3 reasons", n, t, m, floor, tb, mb, "≤ 1.5×",
                        f"{n / t:,.0f} rows/s"))


def value_recall(sim: np.ndarray, exact_sim: np.ndarray, min_similarity: float | None = None,
                 eps: float = 1e-5) -> float:
    """Recall of a top-k search against the exact one, by similarity (ann-benchmarks' rule).

    A returned neighbour counts when its (exact) similarity reaches the exact k-th one, so a
    tie at the k-th place broken the other way is not a miss. With ``min_similarity``: the
    share of the exact neighbours at or above it that are found (what the divergent-pair
    search keeps).
    """
    k = exact_sim.shape[1]
    kth = exact_sim[:, k - 1]
    if min_similarity is None:
        return float((sim >= kth[:, None] - eps).sum() / sim.size)
    need = (exact_sim >= min_similarity).sum(axis=1)
    floor = np.maximum(kth, min_similarity)
    got = (sim >= floor[:, None] - eps).sum(axis=1)
    return float(np.minimum(got, need).sum() / max(int(need.sum()), 1))


def bench_search(rows: list[Row], n: int, real: bool, k: int = 10,
                 sklearn_max: int = 20_000) -> None:
    from sklearn.neighbors import NearestNeighbors
    from sklearn.preprocessing import normalize

    from kompred import consistency as C
    from kompred.text.neighbours import COMPILED_MIN_ROWS, _char_matrix, _texts, top_k_similar

    apps = application_table(n, real=real)
    texts = _texts(apps, ("title", "description"))
    X, t, m = measure(lambda: _char_matrix(texts))
    (idx, sim), ts, ms = measure(lambda: C.nearest_neighbors(X, k=k))
    method = "exact" if n <= C.EXACT_MAX_ROWS else "approx"
    compiled = _has_numba() and n >= COMPILED_MIN_ROWS
    what = f"neighbour search k={k} ({method}{'' if compiled else ', numpy'}), vectorizing included"
    if n <= sklearn_max:
        nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute")
        (bd, bi), tb, mb = measure(lambda: nn.fit(X).kneighbors(X))
        # sklearn returns the row itself first (distance 0) unless a duplicate ties with it
        keep = bi != np.arange(n)[:, None]
        keep[keep.sum(axis=1) > k, -1] = False
        exact_sim = (1 - bd[keep].reshape(n, k)).astype(np.float32)
        rows_checked, got = np.arange(n), sim
        baseline = ("NearestNeighbors(cosine, brute) + same vectorizing", t + tb, max(m, mb))
    else:  # sklearn's brute force takes too long here: 1,000 rows searched exactly
        rows_checked = np.sort(np.random.default_rng(0).choice(n, 1000, replace=False))
        Xn = normalize(X).astype(np.float32)
        allow = np.ones((len(rows_checked), n), dtype=bool)
        allow[np.arange(len(rows_checked)), rows_checked] = False
        _, exact_sim = top_k_similar(Xn[rows_checked], Xn, k, allowed=lambda s, e: allow[s:e])
        got = sim[rows_checked]
        baseline = ("", None, None)
    recall = value_recall(got, exact_sim)
    recall_pairs = value_recall(got, exact_sim, min_similarity=0.5)
    on = "all rows" if n <= sklearn_max else f"{len(rows_checked):,} sampled rows"
    rows.append(Row(what, n, t + ts, max(m, ms), *baseline, "≤ 60 s at 100k, ≤ 4 GB",
                    f"recall@{k} {recall:.4f}, of pairs ≥ 0.5 {recall_pairs:.4f} ({on}); "
                    f"vectorize {t:.1f} s"))


def _has_numba() -> bool:
    try:
        import kompred.text._knn_compiled  # noqa: F401
    except ImportError:
        return False
    return True


def bench_pairs(rows: list[Row], n: int, real: bool) -> None:
    """Divergent pairs against cleanlab's Datalab, end to end and given the same inputs.

    End to end, both sides vectorize the texts and fit kompred's cross-fitted content model
    (Datalab's label issues need out-of-sample probabilities too). Given the same inputs (the
    TF-IDF matrix and the content probabilities, computed once before either clock starts),
    kompred searches neighbours and builds the pairs; Datalab reduces the matrix to 100 SVD
    dimensions and finds its near-duplicate and label issues.
    """
    import kompred
    from kompred import consistency as C

    apps = application_table(n, real=real)
    pairs, t, m = measure(lambda: C.find_divergent_pairs(apps))
    try:
        from cleanlab import Datalab
    except ImportError as exc:
        rows.append(Row("divergent pairs (find_divergent_pairs)", n, t, m,
                        note=f"cleanlab not installed ({exc.__class__.__name__}): pip install "
                        "-e '.[eval]'"))
        return
    from sklearn.decomposition import TruncatedSVD

    from kompred.text.neighbours import _char_matrix, _texts

    def datalab(X, p):
        Z = TruncatedSVD(n_components=int(min(100, X.shape[0] - 1)), random_state=0).fit_transform(X)
        labels = pd.DataFrame({"decision": apps["decision"].astype(object).to_numpy()})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lab = Datalab(data=labels, label_name="decision", verbosity=0)
            lab.find_issues(features=Z, pred_probs=np.column_stack([1 - p, p]),
                            issue_types={"label": {}, "near_duplicate": {}})
        return lab

    def cleanlab_run():
        X = _char_matrix(_texts(apps, ("title", "description")))
        return datalab(X, C.cross_fitted_content_scores(apps))

    _, tc, mc = measure(cleanlab_run)
    rows.append(Row("divergent pairs (find_divergent_pairs), end to end", n, t, m,
                    "cleanlab Datalab label + near_duplicate, end to end", tc, mc, "≥ 5× faster",
                    f"{len(pairs):,} pairs; both vectorize and fit the content model"))
    corpus = kompred.prepare(apps)
    X, p = corpus.X, corpus.content_scores  # the shared inputs, outside both clocks
    # the content model's folds searched the neighbours already: forgotten, so that kompred's
    # clock holds its search as Datalab's holds its own
    corpus._neighbours = None
    pairs, t, m = measure(lambda: C.find_divergent_pairs(corpus))
    _, tc, mc = measure(lambda: datalab(X, p))
    rows.append(Row("divergent pairs given the TF-IDF and content scores", n, t, m,
                    "Datalab on the same TF-IDF (SVD 100) and probabilities", tc, mc,
                    "≥ 5× faster", f"{len(pairs):,} pairs; kompred: neighbour search + pairs"))


def bench_analysis(rows: list[Row], n: int, real: bool) -> None:
    """Groups and the handler effect on one prepared corpus, then ``kompred report`` end to end.

    No baseline library does these analyses, so the rows carry absolute times against the
    issue's target; the report is run through the command line on a CSV, as a user runs it.
    """
    import contextlib
    import io
    import tempfile

    import kompred
    from kompred.cli import main as cli

    apps = application_table(n, real=real)
    corpus = kompred.prepare(apps)
    _, tp, mp = measure(lambda: corpus.neighbours())
    _, tc, mc = measure(lambda: corpus.content_scores)
    rows.append(Row("prepare: vectorize + neighbour graph + content model", n, tp + tc,
                    max(mp, mc), note=f"neighbours {tp:.1f} s, content model {tc:.1f} s"))
    groups, t, m = measure(lambda: kompred.find_divergent_groups(corpus))
    rows.append(Row("divergent groups (on the prepared corpus)", n, t, m,
                    note=f"{len(groups):,} groups"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res, t, m = measure(lambda: kompred.handler_effect(corpus))
    rows.append(Row("handler effect (on the prepared corpus)", n, t, m,
                    note=f"conclusion {res.conclusion}, p = {res.p_value:.3f}"))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ansokningar.csv")
        apps.to_csv(path, index=False)
        with contextlib.redirect_stdout(io.StringIO()):  # the report's own terminal summary
            code, t, m = measure(lambda: cli(["report", path, "--out",
                                              os.path.join(tmp, "rapport")]))
    rows.append(Row("kompred report (CLI, CSV in, groups included)", n, t, m,
                    target="≤ 300 s at 100k", note=f"exit code {code}"))


def fmt(x, spec):
    return "" if x is None else format(x, spec)


def print_table(rows: list[Row], source: str) -> None:
    print(f"\nkompred benchmark · texts: {source} · {platform.platform()} · "
          f"{platform.processor() or platform.machine()} · {os.cpu_count()} cores · "
          f"Python {platform.python_version()}\n")
    print("| operation | N | kompred s | kompred MB | baseline | baseline s | baseline MB "
          "| × baseline | target | note |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---|---|")
    for r in rows:
        print(f"| {r.operation} | {r.n:,} | {r.seconds:.3f} | {fmt(r.mb, '.0f')} | {r.baseline} "
              f"| {fmt(r.base_seconds, '.3f')} | {fmt(r.base_mb, '.0f')} | {fmt(r.ratio, '.1f')} "
              f"| {r.target} | {r.note} |")


SECTIONS = ("startup", "scoring", "search", "pairs", "analysis")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000])
    ap.add_argument("--pairs-max", type=int, default=2_000,
                    help="largest N for divergent pairs and cleanlab (default 2,000)")
    ap.add_argument("--search-max", type=int, default=10_000,
                    help="largest N for the neighbour search (default 10,000; sklearn's brute "
                         "force beside it up to 20,000, sampled exact rows above)")
    ap.add_argument("--analysis-max", type=int, default=10_000,
                    help="largest N for groups, handler effect and kompred report "
                         "(default 10,000)")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args = ap.parse_args(argv)
    real = CORPUS.exists()
    source = ("real Swedish regeringen.se texts in simulated application tables" if real
              else "simulated texts (corpus not found: figures are synthetic-text only)")
    rows: list[Row] = []

    def done(what):
        print(f"... {what} done", file=sys.stderr, flush=True)

    if "startup" in args.only:
        bench_startup(rows)
        done("startup")
    if "scoring" in args.only:
        pipe = plain_pipeline()
        for n in args.sizes:
            bench_scoring(rows, n, real, pipe)
            done(f"scoring N={n}")
    if "search" in args.only:
        for n in (s for s in args.sizes if s <= args.search_max):
            bench_search(rows, n, real)
            done(f"search N={n}")
    if "pairs" in args.only:
        for n in (s for s in args.sizes if s <= args.pairs_max):
            bench_pairs(rows, n, real)
            done(f"pairs N={n}")
    if "analysis" in args.only:
        for n in (s for s in args.sizes if s <= args.analysis_max):
            bench_analysis(rows, n, real)
            done(f"analysis N={n}")
    print_table(rows, source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
