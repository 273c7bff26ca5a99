"""Requirements: what provides what, how each requirement resolves, and the graph of a run."""
