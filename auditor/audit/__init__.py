"""One audit: read, resolve, classify, propagate; and the analyses built on its result."""
