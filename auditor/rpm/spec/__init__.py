"""Spec files, read without running them: macros, conditionals and the preamble."""
