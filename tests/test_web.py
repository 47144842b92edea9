"""The web page and the JSON API, through FastAPI's TestClient (no server, no browser)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from html import unescape

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("httpx2", reason="FastAPI's TestClient needs httpx2 (in the dev extra)")

from fastapi.testclient import TestClient

from kompred.cli import main
from kompred.datasets import stockholm_path
from kompred.web import Settings, create_app
from kompred.web.routers.api import CheckOutput

PNR = "811218-9876"
DRAFT = {
    "title": "Yrkessvenska för undersköterskor",
    "background": "Många undersköterskor i hemtjänsten har svårt med dokumentation på svenska, och "
                  "kraven på dokumentation ökar med det nya journalsystemet.",
    "insats": "En kurs i yrkessvenska via Komvux, två timmar i veckan under en termin.",
    "provider_type": "extern leverantör",
    "cost_sek": "240 000",
    "participants": "20",
    "period_start": "2026-09-01",
    "period_end": "2027-01-31",
}
XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # bundled models; the first check pays the models' warm-up, so none here
    return create_app(Settings(work_dir=tmp_path_factory.mktemp("web"), warm_up=False))


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        yield c


def _texts(html: str, pattern: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in re.findall(pattern, html, re.S)]


def _errors(html: str) -> list[str]:
    box = re.search(r'<div class="felruta".*?</div>', html, re.S)
    return _texts(box.group(0), r"<li>(.*?)</li>") if box else []


# ---------------------------------------------------------------------------------------- pages
def test_pages_render_with_labels_and_headings(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="sv">' in html and html.count("<h1>") == 1
    # every form field has a label tied to it
    for name in DRAFT:
        assert f'<label for="f-{name}">' in html and f'id="f-{name}"' in html
    assert 'id="f-draft"' in html and "<button type=\"submit\">" in html
    assert "<script" not in html  # the page works without JavaScript
    analys = client.get("/analys")
    assert analys.status_code == 200 and 'type="file"' in analys.text
    assert 'enctype="multipart/form-data"' in analys.text
    css = client.get("/static/kompred.css")
    assert css.status_code == 200 and "font-family" in css.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_health(client):
    doc = client.get("/health").json()
    assert doc["status"] == "ok" and doc["topic_model"] and doc["grant_model"]
    assert doc["reference_applications"] == 73


def test_check_form_shows_topic_probability_rules_and_similar(client):
    r = client.post("/", data=DRAFT)
    assert r.status_code == 200
    html = r.text
    topic = _texts(html, r'<dd id="amne">(.*?)</dd>')[0]
    assert topic.startswith("språk")
    prob = _texts(html, r'<dd id="sannolikhet">(.*?)</dd>')[0]
    assert re.match(r"(\d+ %|> 99 %|< 1 %)\s+\(osäkerhetsintervall .+–.+\)", prob), prob
    api = client.post("/api/check", json={k: v.replace(" ", "") if k == "cost_sek" else v
                                          for k, v in DRAFT.items()}).json()
    # the page and the API share one code path: the same rules, the same similar applications
    rows = re.findall(r'<tr class="status-[^"]+">', html)
    assert len(rows) == len(api["checklist"]) >= 5
    assert html.count("Källa: ") == len(api["checklist"])
    assert all(unescape(c["source"]) in unescape(html) for c in api["checklist"])
    similar = re.search(r'<table class="liknande">.*?</table>', html, re.S).group(0)
    assert similar.count("<tr>") == len(api["similar"]) + 1  # + the header row
    assert api["similar"][0]["id"] in similar
    assert topic.split()[0] == api["topic"]
    assert f"{100 * api['grant_probability']:.0f} %" in prob
    # the form comes back filled in, so the user can edit and check again
    assert 'value="Yrkessvenska för undersköterskor"' in html


def test_api_json_schema(client):
    body = {**DRAFT, "cost_sek": 240000, "participants": 20}
    r = client.post("/api/check", json=body)
    assert r.status_code == 200
    doc = r.json()
    CheckOutput.model_validate(doc)  # the documented schema holds
    assert 0 <= doc["grant_low"] <= doc["grant_probability"] <= doc["grant_high"] <= 1
    assert doc["reasons"] and all(isinstance(x, str) for x in doc["reasons"])
    assert all(set(w) == {"code", "message"} for w in doc["warnings"])
    assert {"missing_fields", "no_samverkan"} <= {c["code"] for c in doc["checklist"]}
    assert all(c["rule"] and c["source"] for c in doc["checklist"])
    assert len(doc["similar"]) == 5 and all(s["decision"] in ("beviljad", "avslag") for s in doc["similar"])
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/check"]["post"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("CheckOutput")
    assert "CheckInput" in spec["components"]["schemas"]


@pytest.mark.parametrize(("body", "field", "words"), [
    ({}, "", "behöver en text"),
    ({"draft": "   "}, "", "behöver en text"),
    ({"draft": "Kurs", "participants": "tolv"}, "participants", "heltal"),
    ({"draft": "Kurs", "participants": 0}, "participants", "mindre än 1"),
    ({"draft": "Kurs", "cost_sek": -5}, "cost_sek", "mindre än 0"),
    ({"draft": "Kurs", "period_start": "2026-13-01"}, "period_start", "datum"),
    ({"draft": "Kurs", "period_start": "2026-05-01", "period_end": "2026-01-01"}, "", "före"),
    ({"draft": "Kurs", "provider_type": "grannen"}, "provider_type", "välj ett av"),
    ({"draft": "Kurs", "okänt": 1}, "okänt", "okänt fält"),
    ({"draft": "x" * 20_001}, "draft", "20 000 tecken"),
])
def test_api_validation_errors_are_swedish_422(client, body, field, words):
    r = client.post("/api/check", json=body)
    assert r.status_code == 422
    doc = r.json()
    assert set(doc) == {"error", "problems"} and words in doc["error"]
    assert [p["field"] for p in doc["problems"]] == [field]


def test_api_rejects_bad_json_and_large_bodies(client):
    r = client.post("/api/check", content=b"{inte json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]
    r = client.post("/api/check", json={"draft": "x" * 300_000})
    assert r.status_code == 413 and "256 kB" in r.json()["error"]

    # no Content-Length (a streamed body): counted as it arrives
    def chunks():
        for _ in range(40):
            yield b"x" * 10_000

    r = client.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


@pytest.mark.parametrize(("form", "field", "words"), [
    ({}, "", "behöver en text"),
    ({"background": "Vi saknar behöriga barnskötare.", "cost_sek": "mycket"}, "cost_sek", "belopp"),
    ({"draft": "Kurs", "participants": "3,5"}, "participants", "heltal"),
    ({"draft": "x" * 25_000}, "draft", "20 000 tecken"),
])
def test_form_errors_are_messages_on_the_page(client, form, field, words):
    r = client.post("/", data=form)
    assert r.status_code == 400
    errors = _errors(r.text)
    assert len(errors) == 1 and words in errors[0]
    assert "Traceback" not in r.text and 'id="resultat"' not in r.text
    if field:
        assert f'href="#f-{field}"' in r.text and 'aria-invalid="true"' in r.text


def test_a_huge_paste_gets_a_swedish_page(client):
    r = client.post("/", data={"draft": "å" * 1_000_000})
    assert r.status_code == 413 and "för stort" in r.text and "<html lang='sv'>" in r.text


def test_typed_html_is_escaped_everywhere(client):
    r = client.post("/", data={"title": '"><b>fet</b>', "background": XSS,
                               "insats": "Utbildning i demensvård för 12 undersköterskor."})
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text and "<b>fet" not in r.text
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in r.text
    assert 'value="&#34;&gt;&lt;b&gt;fet&lt;/b&gt;"' in r.text
    # and in an error page too
    r = client.post("/", data={"background": XSS, "participants": "<script>"})
    assert r.status_code == 400 and "<script>" not in r.text


def test_personnummer_never_shown(client):
    draft = {"draft": f"Föreläsning om palliativ vård för 60 medarbetare. Kontakt Kim {PNR}."}
    page = client.post("/", data=draft)
    api = client.post("/api/check", json=draft)
    for text in (page.text, api.text):
        assert PNR not in text and PNR.replace("-", "") not in text
    assert "personnummer" in {w["code"] for w in api.json()["warnings"]}
    assert "[PERSONNUMMER]" in page.text  # the form comes back masked


def test_unknown_pages_are_swedish(client):
    r = client.get("/finns-inte")
    assert r.status_code == 404 and "Sidan finns inte" in r.text
    r = client.get("/api/finns-inte")
    assert r.status_code == 404 and r.json()["error"] == "Sidan finns inte."
    assert client.get("/analys/jobb/ingen-sadan").status_code == 404


# -------------------------------------------------------------------------------------- analysis
def _upload(client, name: str, data: bytes, **fields):
    return client.post("/analys", files={"tabell": (name, data, "text/csv")}, data=fields,
                       follow_redirects=False)


def test_upload_with_a_bad_row_names_the_row_and_column(client):
    bad = ("Beskrivning;Beslut;Inskickad\nKurs i demensvård;beviljad;2023-01-10\n"
           "Yrkessvenska;Bevilj;2023-02-01\nHandledning;avslag;sent i mars\n").encode()
    r = _upload(client, "beslut.csv", bad)
    assert r.status_code == 400
    errors = _errors(r.text)
    assert errors[0].startswith("beslut.csv: 2 problems")
    assert any("row 3" in e and "'decision'" in e and "'Bevilj'" in e for e in errors)
    assert any("row 4" in e and "'submitted'" in e for e in errors)


@pytest.mark.parametrize(("name", "data", "words"), [
    ("bild.png", b"\x89PNG\r\n", "ingen tabell"),
    ("tabell.xlsx", b"this is not a workbook", "not an Excel (.xlsx) file"),
    ("tom.csv", b"", "tom"),
    ("utan_datum.csv", b"Beskrivning;Beslut\nKurs;beviljad\n", "submitted"),
])
def test_upload_errors(client, name, data, words):
    r = _upload(client, name, data)
    assert r.status_code == 400
    errors = _errors(r.text)
    assert errors and any(words in e for e in errors) and name in errors[0]


def test_upload_without_a_file(client):
    r = client.post("/analys", data={"sheet": ""})
    assert r.status_code == 400 and "Välj en fil" in _errors(r.text)[0]


def test_upload_analysis_with_column_mapping(client):
    csv = stockholm_path().read_text(encoding="utf-8")
    header, rest = csv.split("\n", 1)
    header = header.replace("description", "Vad ska göras").replace("decision,", "Utslag,")
    r = _upload(client, "egen.csv", (header + "\n" + rest).encode(), text_column="Vad ska göras",
                decision_column="Utslag")
    assert r.status_code == 303
    url = r.headers["location"]
    deadline = time.monotonic() + 300
    page = client.get(url)
    assert page.status_code == 200
    while "<progress" in page.text and time.monotonic() < deadline:
        assert 'http-equiv="refresh"' in page.text
        time.sleep(0.5)
        page = client.get(url)
    html = page.text
    assert 'role="alert"' not in html, _texts(html, r'role="alert">(.*?)</p>')
    assert _texts(html, r'<dd id="antal">(.*?)</dd>') == ["73"]
    assert "Källa: egen.csv" in html
    # the figures and the report folder, served from the job
    files = re.findall(rf'{re.escape(url)}/fil/([^"]+)"', html)
    assert {"kompred-rapport.zip", "rapport.html", "beslut_per_ar.png"} <= set(files)
    png = client.get(f"{url}/fil/beslut_per_ar.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    zf = zipfile.ZipFile(io.BytesIO(client.get(f"{url}/fil/kompred-rapport.zip").content))
    assert {"rapport.md", "rapport.html", "tables.json"} <= set(zf.namelist())
    # the same tables.json as the command line's: the divergent groups too
    assert "divergent_groups" in json.loads(zf.read("tables.json"))
    report = client.get(f"{url}/fil/rapport.html")
    assert report.status_code == 200 and "kompred-rapport" in report.text
    # the seed-style tables: 53 granted and 20 rejected in the bundled data's decisions
    assert re.search(r"<dt>beviljad</dt><dd>53</dd>", html) and re.search(r"<dt>avslag</dt><dd>20</dd>", html)
    n_pairs = int(_texts(html, r'<dd id="par">(.*?)</dd>')[0].split()[0])
    assert html.count('<details class="par"') == min(n_pairs, 10)
    assert "Beror besluten på handläggaren?" in html
    # only what the job wrote can be fetched
    assert client.get(f"{url}/fil/egen.csv").status_code == 404
    assert client.get(f"{url}/fil/..%2F..%2Fsettings.py").status_code == 404


def test_uploads_beyond_the_queue_are_told_to_wait(tmp_path):
    app = create_app(Settings(work_dir=tmp_path, warm_up=False, max_waiting_jobs=0))
    with TestClient(app) as c:
        r = _upload(c, "liten.csv", b"Beskrivning;Beslut;Inskickad\nKurs;beviljad;2023-01-10\n")
    assert r.status_code == 503 and "Försök igen om en stund" in _errors(r.text)[0]
    assert list(tmp_path.iterdir()) == []  # the refused upload is not kept


def test_upload_too_large(tmp_path):
    app = create_app(Settings(work_dir=tmp_path, warm_up=False, max_upload_bytes=1000))
    with TestClient(app) as c:
        r = _upload(c, "stor.csv", b"Beskrivning\n" + b"x" * 5000)
    assert r.status_code == 413 and "Filen är för stor" in r.text


# ------------------------------------------------------------------------------------- kompred serve
def test_serve_without_the_web_extra_says_how_to_install(monkeypatch, capsys):
    import kompred.cli._serve as serve_cli

    real = serve_cli.importlib.util.find_spec
    monkeypatch.setattr(serve_cli.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("fastapi", "uvicorn") else real(name, *a))
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "missing: fastapi, uvicorn" in err and "pip install 'kompred[web]'" in err


def test_serve_binds_localhost_and_warns_elsewhere(monkeypatch, capsys):
    import uvicorn

    import kompred.web.app as web_app

    calls = []
    monkeypatch.setattr(web_app, "create_app", lambda settings: ("app", settings))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    assert main(["serve", "--port", "8123"]) == 0
    assert calls[-1]["host"] == "127.0.0.1" and calls[-1]["port"] == 8123
    assert "varning" not in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert calls[-1]["host"] == "0.0.0.0" and "ingen inloggning" in capsys.readouterr().err
    assert main(["serve", "--port", "0"]) == 2
