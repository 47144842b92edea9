"""Formatting: terminal text, Markdown, HTML, JSON and plots. The only layer that formats."""

from ._analysis import AnalysisReport, analyse
from ._seed import SeedTables, format_summary, published_comparison, seed_tables, write_report

__all__ = ["AnalysisReport", "SeedTables", "analyse", "format_summary", "published_comparison",
           "seed_tables", "write_report"]
