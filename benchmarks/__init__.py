"""Benchmark harness for the auditor: ``python benchmarks/run.py`` (see README.md, "Benchmarks")."""
