"""The rpm vocabulary: the package model, version comparison, dependency syntax and spec files."""
