"""The agreement version is one fact: a table read from a file and a draft checked by the HR
officer get the same version on the same date, on both sides of each boundary."""

from datetime import date

import pandas as pd
import pytest

from kompred import check_application, read_applications
from kompred.schema import agreement_for
from kompred.scoring import Scorer

BOUNDARIES = [
    ("2019-06-15", "TLO-KL"),
    ("2020-04-30", "TLO-KL"),
    ("2020-05-01", "KOM-KR-2020"),
    ("2022-09-30", "KOM-KR-2020"),
    ("2022-10-01", "KOM-KR-2022"),
]
TEXT = "Utbildning i lågaffektivt bemötande för 20 undersköterskor inom hemtjänsten."


def test_read_applications_derives_the_version_from_the_date(tmp_path):
    path = tmp_path / "ansokningar.csv"
    pd.DataFrame({"Beskrivning": [TEXT] * len(BOUNDARIES),
                  "Inskickad": [d for d, _ in BOUNDARIES]}).to_csv(path, sep=";", index=False)
    apps = read_applications(path)
    assert apps["agreement"].tolist() == [a for _, a in BOUNDARIES]


@pytest.mark.parametrize(("submitted", "expected"), BOUNDARIES)
def test_check_application_judges_by_the_same_version(submitted, expected):
    result = check_application(application={"description": TEXT, "submitted": submitted},
                               scorer=Scorer(), today=date(2026, 12, 1))
    assert result.agreement == expected == agreement_for(date.fromisoformat(submitted))
    codes = {r.code for r in result.checklist}
    # KOM-KR's own criteria (a competence need, new ground) are not applied to TLO-KL drafts
    assert ("no_competence_need" in codes) == (expected != "TLO-KL")


def test_an_explicit_version_wins_over_the_date(tmp_path):
    result = check_application(application={"description": TEXT, "submitted": "2022-10-01",
                                            "agreement": "KOM-KR 2020"},
                               scorer=Scorer(), today=date(2026, 12, 1))
    assert result.agreement == "KOM-KR-2020"


def test_before_tlo_kl_no_version_is_invented():
    assert agreement_for(date(2016, 12, 31)) is None
    apps = read_applications(pd.DataFrame({"description": [TEXT], "submitted": ["2016-03-01"]}))
    assert pd.isna(apps["agreement"].iloc[0])
