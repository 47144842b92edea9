"""Formatting: terminal text, Markdown, HTML, JSON and plots. The only layer that formats."""

from ._analysis import AnalysisReport, render_analysis
from ._seed import SeedTables, format_summary, published_comparison, seed_tables, write_report

__all__ = ["AnalysisReport", "SeedTables", "format_summary", "published_comparison",
           "render_analysis", "seed_tables", "write_report"]
