"""The theme-prevalence report: one :class:`Report` object and its renderers.

:func:`build_report` computes it from coded answers (every number from
:mod:`openends.stats`); it renders itself in the terminal (rich), and
:func:`render_markdown`, ``openends.report.html.render_html`` and :func:`report_tables`
give Markdown, HTML and tables for scripts; :func:`write_report` writes any of them.

Example (with the sample project coded)::

    report = build_report(coding.wide(), cleaned, codebook=book, evidence=coding.long(),
                          by=["group"])
    rich.print(report)
"""

from openends.lazy import lazy_getattr

_EXPORTS = {
    "Quote": "openends.report.model",
    "Report": "openends.report.model",
    "build_report": "openends.report.build",
    "quality_from_agreement": "openends.report.build",
    "render_markdown": "openends.report.markdown",
    "render_terminal": "openends.report.terminal",
    "render_text": "openends.report.tables",
    "report_tables": "openends.report.tables",
    "write_report": "openends.report.tables",
}

__all__ = list(_EXPORTS)

__getattr__ = lazy_getattr("openends.report", _EXPORTS)
