"""GitHub code scanning's limit on a SARIF run's results, and the auditor's default bound on
them (`auditor.reports.sarif_bound`). Nothing else here: the command line checks
``--sarif-max-results`` before it imports any renderer."""

MAX_RESULTS = 5_000
"""The results a run lists by default: as many as code scanning shows of a run, so what it shows
is what the file holds, the summaries of the facts left out included (at 25,000 it would choose
the 5,000 to keep itself, by severity as documented, or not, as github/docs#38085 reports, and
could leave the summaries out)."""
GITHUB_MAX_RESULTS = 25_000
"""The most results per run code scanning accepts: it rejects a file with a run of more."""
GITHUB_SHOWN_RESULTS = 5_000
"""The results of a run code scanning keeps and shows."""
