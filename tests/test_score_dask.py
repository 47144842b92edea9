"""score_dask on a dask.distributed LocalCluster gives exactly the in-memory scoring."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed "
                         "(pip install -e '.[dask]')")
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed "
                                  "(pip install -e '.[dask]')")

from kompred import ValidationError, simulate, validate_applications  # noqa: E402
from kompred.scoring import load_scorer, score_applications  # noqa: E402
from kompred.scoring_dask import score_dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's start-up chatter is not what is tested
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                           dashboard_address=None)
        c = distributed.Client(cluster)
    yield c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c.close()
        cluster.close()


def _apps(n=90):
    apps = simulate(n, seed=4).applications.drop(
        columns=["decision", "decision_date", "granted_sek", "handler", "topic"])
    apps.loc[5, ["title", "description"]] = None  # no text: "ej bedömd"
    apps.loc[7, "description"] = "Kontakt: 811218-9876. Kurs i demens."  # personnummer
    return apps


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


@pytest.mark.parametrize("reasons", [0, 3])
def test_score_dask_equals_in_memory(client, reasons):
    apps = _apps()
    scorer = load_scorer()
    expected = _quiet(lambda: score_applications(validate_applications(apps), scorer,
                                                 reasons=reasons))
    ddf = dd.from_pandas(apps, npartitions=4)
    lazy = _quiet(lambda: score_dask(ddf, scorer, reasons=reasons))
    got = _quiet(lambda: client.compute(lazy).result())
    assert len(got) == len(apps)
    assert got.index.tolist() == apps.index.tolist()  # every row back, in order
    assert list(got.columns) == list(lazy.columns)  # meta matches what the workers return
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    assert got.loc[5, "status"].startswith("ej bedömd")
    assert "811218" not in " ".join(got["description"].astype(str))


def test_score_dask_empty_partition_and_bad_input(client):
    apps = _apps(20)
    ddf = dd.from_pandas(apps, npartitions=2)
    empty = ddf[ddf["cost_sek"] < -1]  # every partition empty
    got = _quiet(lambda: client.compute(score_dask(empty, reasons=0)).result())
    assert len(got) == 0 and "grant_probability" in got.columns
    with pytest.raises(ValidationError, match="dask.dataframe.DataFrame"):
        score_dask(apps)
    with pytest.raises(ValidationError, match="reasons"):
        score_dask(ddf, reasons=-1)
    p = _quiet(lambda: client.compute(score_dask(ddf, reasons=0)).result())["grant_probability"]
    assert np.isfinite(p.drop(index=5)).all() and np.isnan(p[5])  # row 5 has no text


def test_the_cli_scores_a_file_on_dask_like_in_memory(tmp_path):
    from kompred.cli import main
    from kompred.io import read_table

    apps = simulate(60, seed=5).applications.drop(columns=["decision", "handler"])
    src = tmp_path / "nya.csv"
    apps.to_csv(src, index=False)
    plain, on_dask = tmp_path / "plain.csv", tmp_path / "dask.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the local cluster's start-up chatter
        assert main(["score", str(src), "-o", str(on_dask), "--dask", "local", "--chunksize",
                     "25", "--reasons", "1"]) == 0
    assert main(["score", str(src), "-o", str(plain), "--no-progress", "--reasons", "1"]) == 0
    a, b = read_table(plain), read_table(on_dask)
    assert len(b) == len(apps) and list(a.columns) == list(b.columns)
    pd.testing.assert_frame_equal(a, b)
