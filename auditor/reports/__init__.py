"""Reports: each format renders the one `ReportView` (`auditor.reports.view`); none of them analyses.

The formats are named in `auditor.reports.catalog` and rendered by `auditor.reports.render`.
"""
