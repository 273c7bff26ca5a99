"""Red-team reproductions of `auditor check` of a source RPM given alone (review of d9409e4)."""
