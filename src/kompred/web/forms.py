"""The check's input, validated the same way for the page's form and the JSON API.

Field names follow kompred's canonical table where one exists (``title``, ``cost_sek``,
``participants``, ``period_start`` …); the form's two text parts and the whole-draft field are
joined into the table's ``description``. Every error is reported in Swedish, per field.

>>> CheckInput(background="Vi saknar behöriga barnskötare.", participants=12).participants
12
>>> errors_in_swedish(_errors({"participants": "tolv"}))[0]["message"]
'Antal deltagare: ange ett heltal, t.ex. 12.'
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

__all__ = ["FIELD_LABELS", "CheckInput", "InsatsForm", "ProviderType", "errors_in_swedish",
           "form_to_input"]

#: Upper bound of one text field; the body-size limit stops far larger posts before this.
MAX_TEXT_CHARS = 20_000

FIELD_LABELS = {
    "title": "Rubrik",
    "background": "Bakgrund och behov",
    "insats": "Insats",
    "draft": "Hela utkastet",
    "provider_type": "Utförare",
    "provider": "Leverantör",
    "insats_form": "Insatsform",
    "cost_sek": "Kostnad (kr)",
    "participants": "Antal deltagare",
    "period_start": "Period från",
    "period_end": "Period till",
}
TEXT_FIELDS = ("background", "insats", "draft")


class ProviderType(StrEnum):
    """Who carries out the insats (the form's "utförare")."""

    omstallningsfonden = "omställningsfonden"
    egen_regi = "egen regi"
    extern = "extern leverantör"


class InsatsForm(StrEnum):
    """The form of the insats."""

    utbildning = "utbildning"
    validering = "validering"
    handledning = "handledning"
    forelasning = "föreläsning"
    annan = "annan"


def _text(max_chars: int = MAX_TEXT_CHARS, **kw):
    return Field(default=None, max_length=max_chars, **kw)


class CheckInput(BaseModel):
    """One draft: the parts of Omställningsfonden's form. At least one text part is needed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = _text(300, description="Rubrik: insatsens namn")
    background: str | None = _text(description="Bakgrund och behov")
    insats: str | None = _text(description="Vilken insats som ska genomföras")
    draft: str | None = _text(description="Hela utkastet i ett fält (i stället för eller utöver delarna)")
    provider_type: ProviderType | None = Field(default=None, description="Utförare")
    provider: str | None = _text(300, description="Leverantörens namn")
    insats_form: InsatsForm | None = Field(default=None, description="Insatsform")
    cost_sek: float | None = Field(default=None, ge=0, le=1e10, description="Kostnad i kronor")
    participants: int | None = Field(default=None, ge=1, le=1_000_000, description="Antal deltagare")
    period_start: date | None = Field(default=None, description="Period från (ÅÅÅÅ-MM-DD)")
    period_end: date | None = Field(default=None, description="Period till (ÅÅÅÅ-MM-DD)")

    @model_validator(mode="after")
    def _needs_text_and_order(self):
        if not any(getattr(self, f) for f in TEXT_FIELDS):
            raise ValueError("empty_text")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_order")
        return self

    def description(self) -> str:
        """The form's text parts joined as the table's ``description`` (no labels added: a label
        such as "Bakgrund" would itself satisfy the checklist's rule for that field)."""
        return "\n\n".join(getattr(self, f) for f in TEXT_FIELDS if getattr(self, f))

    def application(self) -> dict[str, Any]:
        """The draft as one row of kompred's canonical table."""
        row: dict[str, Any] = {"description": self.description()}
        for name in ("title", "provider", "cost_sek", "participants", "period_start", "period_end"):
            value = getattr(self, name)
            if value is not None:
                row[name] = value.isoformat() if isinstance(value, date) else value
        for name in ("provider_type", "insats_form"):
            value = getattr(self, name)
            if value is not None:
                row[name] = value.value
        return row


_MODEL_MESSAGES = {
    "empty_text": "Skriv något i Bakgrund och behov, Insats eller Hela utkastet: kontrollen behöver "
                  "en text.",
    "period_order": "Period till ligger före Period från.",
}


def _swedish(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "ange ett belopp i kronor med siffror, t.ex. 125000."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "ange ett heltal, t.ex. 12."
    if kind.startswith("date") or kind.startswith("datetime"):
        return "ange ett datum som ÅÅÅÅ-MM-DD, t.ex. 2025-09-01."
    if kind == "greater_than_equal":
        return f"får inte vara mindre än {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"får inte vara större än {ctx.get('le'):,}.".replace(",", " ")
    if kind == "string_too_long":
        return f"texten är för lång: högst {ctx.get('max_length'):,} tecken.".replace(",", " ")
    if kind == "enum":
        return f"välj ett av värdena {ctx.get('expected', '')}."
    if kind == "extra_forbidden":
        return "okänt fält."
    if kind in ("string_type", "model_type", "model_attributes_type", "dict_type"):
        return "fel typ av värde."
    return "ogiltigt värde."


def errors_in_swedish(errors: list[dict]) -> list[dict[str, str]]:
    """Pydantic's errors as ``{field, message}`` in Swedish, the field named by its form label."""
    out = []
    for err in errors:
        loc = [p for p in err.get("loc", ()) if p not in ("body",)]
        field = str(loc[-1]) if loc else ""
        if err.get("type") == "value_error" and str(err.get("ctx", {}).get("error")) in _MODEL_MESSAGES:
            out.append({"field": "", "message": _MODEL_MESSAGES[str(err["ctx"]["error"])]})
            continue
        if err.get("type") == "json_invalid" or (err.get("type") == "missing" and not field):
            out.append({"field": "", "message": "Förfrågan är inte giltig JSON med utkastets fält."})
            continue
        label = FIELD_LABELS.get(field, field)
        out.append({"field": field, "message": f"{label}: {_swedish(err)}" if label else _swedish(err)})
    return out


def _errors(data: dict) -> list[dict]:
    try:
        CheckInput.model_validate(data)
    except ValidationError as exc:
        return exc.errors()
    return []


def form_to_input(form: dict[str, str]) -> tuple[CheckInput | None, list[dict[str, str]]]:
    """Validate the page's form fields (strings; empty means not given).

    Returns the input, or None with the errors in Swedish. Fields the form does not have are
    ignored, and "125 000 kr" style amounts are accepted.
    """
    data: dict[str, Any] = {}
    for name in FIELD_LABELS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            data[name] = value
    for name in ("cost_sek", "participants"):
        if name in data:
            # Swedish forms write thousands with spaces and decimals with a comma
            cleaned = data[name].lower().replace("kr", "").replace("\u00a0", "").replace(" ", "")
            data[name] = cleaned.replace(",", ".") if name == "cost_sek" else cleaned
    try:
        return CheckInput.model_validate(data), []
    except ValidationError as exc:
        return None, errors_in_swedish(exc.errors())
