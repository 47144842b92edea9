"""Verify that ``stockholm_2021_2023.csv`` reproduces the aggregates of Stockholms stad's report.

Run from anywhere::

    python datasets/verify_stockholm.py [path/to/stockholm_2021_2023.csv]

The script only READS the CSV. It checks the REAL aggregates (applications per unit and year,
topics of granted insatser, 53 granted / 20 rejected, granted and rejected money totals) and the
construction rules of the SYNTHETIC records (dates, agreement versions, enums, money, pairs of
similar applications with divergent decisions). It prints a summary and exits with status 1 if
any check fails. The expected figures are written out below; if ``shared/seeds/seed_facts.json``
exists next to the repository it is read as well and must agree with them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_CSV = HERE / "stockholm_2021_2023.csv"
SEED_FACTS = HERE.parents[1] / "shared" / "seeds" / "seed_facts.json"

COLUMNS = [
    "id", "employer", "unit", "agreement", "fund_period", "submitted", "title", "description",
    "insats_form", "provider_type", "provider", "cost_sek", "participants", "period_start",
    "period_end", "decision", "decision_date", "granted_sek", "handler", "topic",
]

# Real figures from the report (seed 000_2ee70c234946f335.txt): inkomna ansökningar per year.
UNIT_YEAR = {
    "Arbetsmarknadsförvaltningen": (1, 0, 3),
    "Bromma sdf": (0, 0, 2),
    "Enskede-Årsta-Vantör sdf": (0, 0, 1),
    "Farsta sdf": (0, 0, 1),
    "Förskoleförvaltningen": (0, 0, 1),
    "Hägersten-Älvsjö sdf": (1, 0, 2),
    "Hässelby-Vällingby sdf": (0, 0, 6),
    "Järva sdf": (4, 0, 1),
    "Kungsholmens sdf": (5, 0, 7),  # printed total 13 is an arithmetic error; 5+0+7 = 12
    "Norra Innerstaden sdf": (0, 0, 1),
    "Serviceförvaltningen": (1, 0, 1),
    "Skärholmens sdf": (10, 3, 5),
    "Stadsledningskontoret": (0, 0, 1),
    "Södermalms sdf": (3, 0, 0),
    "Utbildningsförvaltningen": (3, 3, 7),
}
YEAR_TOTALS = {2021: 28, 2022: 6, 2023: 39}
N_APPLICATIONS = 73
N_GRANTED, N_REJECTED = 53, 20
GRANTED_TOPICS = {"yrkesutbildning": 9, "språk": 8, "bemötande": 13, "blandat": 14, "äldre": 9}
GRANTED_TOTAL_SEK = 27_075_038
REJECTED_TOTAL_SEK = 10_628_000
APPLIED_TOTAL_PRINTED_SEK = 30_873_360  # conflicts with the two figures above; reported only

AGREEMENT_CHANGE = pd.Timestamp("2022-10-01")
INSATS_FORMS = {"utbildning", "validering", "handledning", "föreläsning", "annan"}
PROVIDER_TYPES = {"omställningsfonden", "egen regi", "extern leverantör"}
HANDLERS = {f"H0{i}" for i in range(1, 8)}

PERSONNUMMER = re.compile(r"\b(?:19|20)?\d{6}[-+]?\d{4}\b")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])")


class Checker:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.n = 0

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        self.n += 1
        mark = "ok  " if ok else "FAIL"
        print(f"  [{mark}] {what}" + (f" -- {detail}" if detail and not ok else ""))
        if not ok:
            self.failures.append(f"{what}: {detail}")


def _seed_facts_agree(c: Checker) -> None:
    if not SEED_FACTS.exists():
        print(f"  [skip] {SEED_FACTS} not found; using the figures written in this script")
        return
    facts = json.loads(SEED_FACTS.read_text(encoding="utf-8"))
    rows = facts["applications_per_unit_and_year"]["rows"]
    same_units = {u: tuple(v[:3]) for u, v in rows.items()} == UNIT_YEAR
    c.check(same_units, "seed_facts.json unit x year columns equal the script's figures")
    c.check(facts["topics_of_insatser"]["counts"] == GRANTED_TOPICS,
            "seed_facts.json topic counts equal the script's figures")
    money = facts["money_sek"]
    c.check(money["granted_total"] == GRANTED_TOTAL_SEK
            and money["rejected_total_approx"] == REJECTED_TOTAL_SEK,
            "seed_facts.json money totals equal the script's figures")
    c.check(facts["decisions"]["rejected"] == N_REJECTED
            and facts["decisions"]["applications"] == N_APPLICATIONS,
            "seed_facts.json decision counts equal the script's figures")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else DEFAULT_CSV
    print(f"Verifying {path}")
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    df = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    for col in ("submitted", "decision_date", "period_start", "period_end"):
        df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    df["cost_sek"] = pd.to_numeric(df["cost_sek"]).astype("int64")
    df["participants"] = pd.to_numeric(df["participants"]).astype("int64")
    df["granted"] = pd.to_numeric(df["granted_sek"].replace("", None))
    df["year"] = df["submitted"].dt.year
    granted = df[df["decision"] == "beviljad"]
    rejected = df[df["decision"] == "avslag"]
    c = Checker()

    print("\n1. Structure")
    c.check(header == COLUMNS, "header has the canonical columns in order", str(header))
    c.check(len(df) == N_APPLICATIONS, f"{N_APPLICATIONS} rows", str(len(df)))
    c.check(df["id"].is_unique, "ids unique")
    id_ok = df["id"].str.fullmatch(r"STH-\d{4}-\d{3}") & (
        df["id"].str[4:8].astype(int) == df["year"])
    c.check(bool(id_ok.all()), "ids look like STH-<year of submitted>-NNN",
            ", ".join(df.loc[~id_ok, "id"]))
    no_empty = ["id", "employer", "unit", "agreement", "fund_period", "submitted", "title",
                "description", "insats_form", "provider_type", "decision", "handler", "topic"]
    empties = [col for col in no_empty if (df[col].astype(str).str.strip() == "").any()]
    c.check(not empties, "no empty required cells", str(empties))

    print("\n2. Real aggregates from the report")
    c.check(bool((df["employer"] == "Stockholms stad").all()), "employer is Stockholms stad")
    table = pd.crosstab(df["unit"], df["year"]).reindex(columns=[2021, 2022, 2023], fill_value=0)
    got = {u: tuple(int(x) for x in table.loc[u]) for u in table.index}
    diff = {u: (got.get(u), UNIT_YEAR.get(u)) for u in set(got) | set(UNIT_YEAR)
            if got.get(u) != UNIT_YEAR.get(u)}
    c.check(not diff, "applications per unit and year equal the report", str(diff))
    years = {int(y): int(n) for y, n in df["year"].value_counts().items()}
    c.check(years == YEAR_TOTALS, "year totals 28 / 6 / 39", str(years))
    c.check(len(granted) == N_GRANTED and len(rejected) == N_REJECTED,
            "53 beviljad and 20 avslag", f"{len(granted)} / {len(rejected)}")
    c.check(set(df["decision"]) <= {"beviljad", "avslag"}, "decision values")
    topics = {k: int(v) for k, v in granted["topic"].value_counts().items()}
    c.check(topics == GRANTED_TOPICS, "topics of granted rows equal the report", str(topics))
    c.check(set(rejected["topic"]) <= set(GRANTED_TOPICS), "rejected rows use the five topics")
    gsum = int(granted["granted"].sum())
    c.check(gsum == GRANTED_TOTAL_SEK, "granted_sek of granted rows sums to 27 075 038", str(gsum))
    rsum = int(rejected["cost_sek"].sum())
    c.check(rsum == REJECTED_TOTAL_SEK, "cost_sek of rejected rows sums to 10 628 000", str(rsum))

    print("\n3. Construction rules of the synthetic records")
    c.check(bool(rejected["granted"].isna().all()), "granted_sek empty for rejected rows")
    c.check(bool(granted["granted"].notna().all()
                 and (granted["granted"] <= granted["cost_sek"]).all()
                 and (granted["granted"] > 0).all()),
            "0 < granted_sek <= cost_sek for granted rows")
    c.check(bool((granted["granted"] % 1 == 0).all()), "granted_sek are whole kronor")
    expected_agreement = df["submitted"].lt(AGREEMENT_CHANGE).map(
        {True: "KOM-KR-2020", False: "KOM-KR-2022"})
    bad = df.loc[df["agreement"] != expected_agreement, "id"]
    c.check(bad.empty, "agreement KOM-KR-2020 before 2022-10-01, KOM-KR-2022 from then",
            ", ".join(bad))
    c.check(bool((df["fund_period"] == "2021-2023").all()), "fund_period 2021-2023")
    lag = (df["decision_date"] - df["submitted"]).dt.days
    c.check(bool(lag.between(14, 56).all()), "decision 2-8 weeks after submission",
            ", ".join(df.loc[~lag.between(14, 56), "id"]))
    c.check(bool((df["period_start"] > df["decision_date"]).all()),
            "period_start after decision_date")
    dur = (df["period_end"] - df["period_start"]).dt.days
    one_off = dur.between(0, 2)
    long_ok = dur.between(28, 548)
    lecture = df["insats_form"] == "föreläsning"
    c.check(bool((one_off | long_ok).all()), "duration 0-2 days (one-off) or 1-18 months",
            ", ".join(df.loc[~(one_off | long_ok), "id"]))
    c.check(bool(one_off[lecture].all()), "lectures last 0-2 days",
            ", ".join(df.loc[lecture & ~one_off, "id"]))
    c.check(set(df["insats_form"]) <= INSATS_FORMS, "insats_form values",
            str(set(df["insats_form"]) - INSATS_FORMS))
    c.check(set(df["provider_type"]) <= PROVIDER_TYPES, "provider_type values",
            str(set(df["provider_type"]) - PROVIDER_TYPES))
    c.check(set(df["handler"]) <= HANDLERS, "handler pseudonyms H01..H07")
    part_ok = df["participants"].between(1, 60) | (lecture | one_off) & df["participants"].between(30, 150)
    c.check(bool(part_ok.all()), "participants 1-60 (one-off events 30-150)",
            ", ".join(df.loc[~part_ok, "id"]))
    lec_cost = df.loc[lecture, "cost_sek"]
    c.check(bool(lec_cost.between(15_000, 80_000).all()), "lectures cost 15-80 kSEK")
    c.check(not df["description"].str.contains(PERSONNUMMER).any()
            and not df["title"].str.contains(PERSONNUMMER).any(), "no personnummer-like strings")
    n_sent = df["description"].map(lambda s: len(SENTENCE_END.split(s.strip())))
    c.check(bool(n_sent.between(1, 6).all()), "descriptions have 1-6 sentences",
            ", ".join(df.loc[~n_sent.between(1, 6), "id"]))

    print("\n4. Rejected examples named in the report")
    text = (rejected["title"] + " " + rejected["description"]).str.lower()
    examples = {
        "föreläsning om palliativ vård": (rejected["insats_form"] == "föreläsning")
        & text.str.contains("palliativ"),
        "föreläsning om att främja ett hållbart arbetsliv": (rejected["insats_form"] == "föreläsning")
        & text.str.contains("hållbart arbetsliv"),
        "utbildningsinsats inom demensområdet": text.str.contains("demensområdet"),
        "förebygga hot och våld": text.str.contains("hot och våld"),
        "utbildning i lågaffektivt bemötande": text.str.contains("lågaffektiv"),
    }
    for name, mask in examples.items():
        c.check(bool(mask.any()), f"rejected: {name}")
    lead = text.str.contains("ledarutveckl|ledarutbildning|ledarskapsprogram|ledarskapsutbildning")
    c.check(int(lead.sum()) >= 2, "rejected: at least two ledarutbildningar", str(int(lead.sum())))

    print("\n5. Insatser granted by one handler and rejected by another")
    all_text = (df["title"] + " " + df["description"]).str.lower()
    groups = {
        "demens": all_text.str.contains("demens"),
        "lågaffektivt bemötande": all_text.str.contains("lågaffektiv"),
    }
    for name, mask in groups.items():
        g = df[mask & (df["decision"] == "beviljad")]
        r = df[mask & (df["decision"] == "avslag")]
        c.check(len(g) >= 2 and len(r) >= 2, f"{name}: >= 2 granted and >= 2 rejected",
                f"{len(g)} / {len(r)}")
        c.check(not (set(g["handler"]) & set(r["handler"])),
                f"{name}: granting and rejecting handlers differ",
                f"{sorted(set(g['handler']))} vs {sorted(set(r['handler']))}")
        if name == "lågaffektivt bemötande":
            c.check(set(df.loc[mask, "topic"]) == {"bemötande"}, f"{name}: topic bemötande")
        else:
            c.check(set(df.loc[mask, "topic"]) <= {"bemötande", "äldre"},
                    f"{name}: topic bemötande or äldre")
    _similar_pairs(df, groups)

    print("\n6. Cross-check with shared/seeds/seed_facts.json")
    _seed_facts_agree(c)

    _summary(df, granted, rejected, table)
    print(f"\n{c.n - len(c.failures)} of {c.n} checks passed.")
    if c.failures:
        print("FAILED:\n  " + "\n  ".join(c.failures))
        return 1
    return 0


def _similar_pairs(df: pd.DataFrame, groups: dict[str, pd.Series]) -> None:
    """Print the most similar granted/rejected pair in each group (needs scikit-learn)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_similarity
    except ImportError:  # pragma: no cover
        print("  [info] scikit-learn not installed; similarity of pairs not shown")
        return
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    x = vec.fit_transform(df["description"])
    for name, mask in groups.items():
        gi = df.index[mask & (df["decision"] == "beviljad")]
        ri = df.index[mask & (df["decision"] == "avslag")]
        sims = cosine_similarity(x[gi], x[ri])
        for j, r in enumerate(ri):
            i = gi[sims[:, j].argmax()]
            print(f"  [info] {name}: {df.at[r, 'id']} (avslag, {df.at[r, 'handler']}) ~ "
                  f"{df.at[i, 'id']} (beviljad, {df.at[i, 'handler']}): "
                  f"cosine {sims[:, j].max():.2f}")


def _summary(df, granted, rejected, table) -> None:
    print("\nSummary")
    t = table.copy()
    t["total"] = t.sum(axis=1)
    t.loc["Totalt"] = t.sum()
    print(t.to_string())
    print("\nTopics (granted / rejected):")
    tt = pd.crosstab(df["topic"], df["decision"]).reindex(columns=["beviljad", "avslag"])
    print(tt.to_string())
    print("\nApplications and rejections per handler:")
    print(pd.crosstab(df["handler"], df["decision"]).reindex(
        columns=["beviljad", "avslag"]).to_string())
    applied = int(df["cost_sek"].sum())
    print(f"\nGranted total (granted_sek, beviljad): {int(granted['granted'].sum()):>12,} SEK")
    print(f"Rejected total (cost_sek, avslag):      {int(rejected['cost_sek'].sum()):>12,} SEK")
    print(f"Applied total (cost_sek, all rows):     {applied:>12,} SEK"
          f"  (report prints {APPLIED_TOTAL_PRINTED_SEK:,}; cannot also hold)")
    print(f"Granted rows with granted_sek < cost_sek: "
          f"{int((granted['granted'] < granted['cost_sek']).sum())}")


if __name__ == "__main__":
    sys.exit(main())
