"""The analysis page: upload a decision table, follow the work, read the report in the browser."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..deps import Service, Templates
from ..services import REPORT_FILES, TABLE_SUFFIXES, ZIP_NAME, InputProblem

router = APIRouter(prefix="/analys", tags=["sidor"])

#: the page's column-mapping fields -> kompred's canonical column
MAPPING_FIELDS = {
    "text_column": ("description", "Kolumnen med ansökningstexten"),
    "decision_column": ("decision", "Kolumnen med beslutet"),
    "id_column": ("id", "Kolumnen med ärendets id"),
    "handler_column": ("handler", "Kolumnen med handläggaren"),
    "date_column": ("submitted", "Kolumnen med ansökningsdatum"),
    "unit_column": ("unit", "Kolumnen med förvaltningen"),
}


def _page(request, templates, *, values=None, errors=(), status_code=200):
    return templates.TemplateResponse(request, "analys.html", {
        "title": "Analys", "values": values or {}, "errors": list(errors),
        "mapping_fields": MAPPING_FIELDS, "suffixes": ", ".join(TABLE_SUFFIXES),
        "limit_mb": request.app.state.settings.max_upload_bytes // (1024 * 1024)},
        status_code=status_code)


@router.get("", response_class=HTMLResponse, summary="Analyssidan")
def analys_page(request: Request, templates: Templates):
    return _page(request, templates)


@router.post("", summary="Ladda upp en beslutstabell")
async def analys_upload(request: Request, service: Service,
                        templates: Templates):
    limit = request.app.state.settings.max_upload_bytes
    form = await request.form(max_files=1, max_fields=20, max_part_size=limit)
    try:
        return await _start(request, service, templates, form)
    finally:
        await form.close()  # the upload's spooled temporary file


async def _start(request: Request, service, templates, form):
    values = {k: v.strip() for k, v in form.items() if isinstance(v, str) and k in (*MAPPING_FIELDS, "sheet")}
    upload = form.get("tabell")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, templates, values=values, status_code=400,
                     errors=["Välj en fil med beslutstabellen (CSV, XLSX eller Parquet)."])
    columns = {v: MAPPING_FIELDS[k][0] for k, v in values.items() if k in MAPPING_FIELDS and v}
    if len(set(columns.values())) < len(columns):
        return _page(request, templates, values=values, status_code=400,
                     errors=["Samma kolumn är vald för två olika fält."])
    sheet = values.get("sheet") or None
    data = await upload.read()
    try:
        folder, apps, tables, notes, path = await run_in_threadpool(
            service.read_table, data, upload.filename, columns=columns,
            sheet=int(sheet) if sheet and sheet.isdigit() else sheet)
    except InputProblem as exc:
        return _page(request, templates, values=values, errors=exc.messages, status_code=400)
    try:
        job = service.start_analysis(folder, apps, tables, notes, upload.filename, path)
    except InputProblem as exc:
        return _page(request, templates, values=values, errors=exc.messages, status_code=503)
    return RedirectResponse(f"/analys/jobb/{job.id}", status_code=303)


def _job_or_404(service, job_id: str):
    job = service.job(job_id)
    if job is None:
        raise HTTPException(status_code=404)
    return job


@router.get("/jobb/{job_id}", response_class=HTMLResponse, summary="En analys: förlopp och rapport")
def analys_job(job_id: str, request: Request, service: Service,
               templates: Templates):
    job = _job_or_404(service, job_id)
    return templates.TemplateResponse(request, "analys_jobb.html", {
        "title": f"Analys av {job.name}", "job": job, "r": job.result,
        "report_files": [f for f in REPORT_FILES if f in job.files()], "zip_name": ZIP_NAME})


@router.get("/jobb/{job_id}/fil/{name}", summary="En fil ur rapportmappen")
def analys_file(job_id: str, name: str, service: Service):
    job = _job_or_404(service, job_id)
    # only the names the job wrote: nothing else on disk can be asked for
    if name not in job.files():
        raise HTTPException(status_code=404)
    path = job.folder / (name if name == ZIP_NAME else f"rapport/{name}")
    if name == ZIP_NAME:
        return FileResponse(path, media_type="application/zip", filename=ZIP_NAME)
    return FileResponse(path)
