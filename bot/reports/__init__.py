"""Figures for staff and the council: what each figure counts (indicators), yearly targets
(targets), periods (periods), unanswered questions (unanswered), the report and its sections
(report, sections), charts (charts), the spreadsheet (export) and the Datasette review (review)."""
