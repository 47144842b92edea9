"""The domain's facts, each written once: columns, cell values, decisions, agreements, sources.

=================  ===========================================================================
module             owns
=================  ===========================================================================
``columns``        the canonical application table and the header aliases people write
``values``         what an empty cell is; insats form, provider type and agreement spellings
``decisions``      the decision codes and the one parser of how decisions are written
``agreements``     agreement versions and their dates (``agreement_for``), the fund's periods
``parse``          one parser per kind of cell: money and counts, dates and periods, text join
``sources``        the public documents that rules and facts cite (title and URL)
``criteria``       the fund's seven criteria and the other requirements a rule can check
=================  ===========================================================================

Everything else imports these names; nothing else hard-codes a date, a decision word or a number
format.

>>> from datetime import date
>>> agreement_for(date(2019, 6, 1)), normalize_decision("Ej beviljad")
('TLO-KL', 'avslag')
"""

from .agreements import (
    AGREEMENT_STARTS,
    AGREEMENTS,
    FUND_PERIODS,
    KOM_KR,
    KOM_KR_2022_START,
    KOM_KR_START,
    TLO_KL_START,
    FundPeriod,
    agreement_for,
    agreement_for_span,
    fund_period,
    fund_period_for,
    normalize_fund_period,
)
from .columns import COLUMNS, ColumnSpec, canonical_column, column_names, value_choices
from .criteria import CRITERIA, Criterion
from .decisions import (
    DECIDED,
    DECISIONS,
    GRANTED,
    REJECTED,
    UNKNOWN,
    decision_labels,
    normalize_decision,
    parse_decisions,
)
from .parse import (
    join_texts,
    parse_date,
    parse_date_period,
    parse_number,
    parse_numbers,
    period_end,
    to_date,
)
from .sources import SOURCES, Source
from .values import (
    INSATS_FORMS,
    PROVIDER_TYPES,
    is_blank,
    is_missing,
    normalize_agreement,
    normalize_insats_form,
    normalize_provider_type,
)

__all__ = [
    "AGREEMENTS",
    "AGREEMENT_STARTS",
    "COLUMNS",
    "CRITERIA",
    "DECIDED",
    "DECISIONS",
    "FUND_PERIODS",
    "GRANTED",
    "INSATS_FORMS",
    "KOM_KR",
    "KOM_KR_2022_START",
    "KOM_KR_START",
    "PROVIDER_TYPES",
    "REJECTED",
    "SOURCES",
    "TLO_KL_START",
    "UNKNOWN",
    "ColumnSpec",
    "Criterion",
    "FundPeriod",
    "Source",
    "agreement_for",
    "agreement_for_span",
    "canonical_column",
    "column_names",
    "decision_labels",
    "fund_period",
    "fund_period_for",
    "is_blank",
    "is_missing",
    "join_texts",
    "normalize_agreement",
    "normalize_decision",
    "normalize_fund_period",
    "normalize_insats_form",
    "normalize_provider_type",
    "parse_date",
    "parse_decisions",
    "parse_date_period",
    "parse_number",
    "parse_numbers",
    "period_end",
    "to_date",
    "value_choices",
]
