"""How the process runs: the local store, work on the other core, progress."""
