"""auditor: prove that an RPM distribution is independent of one vendor's repositories."""

__version__ = "0.1.0"
