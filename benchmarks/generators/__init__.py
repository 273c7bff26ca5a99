"""The project's benchmark corpora and the reference tools the auditor is compared with.

Shared by tests/differential/test_resolution.py and benchmarks/ (run.py, profile.py):

- ``store``: where the corpora live and generating them when missing or out of date;
- ``distro`` (with ``debian`` and ``rpmmd``): distro-60k and distro-10k, Debian bookworm's
  ``main`` index as rpm-md repodata;
- ``rpms``: rpms-2k, 2,000 binary RPMs and their source RPMs built by rpmbuild;
- ``dnf_closure``: offline ``dnf repoclosure`` on one repository;
- ``solv_closure``: the same check through libsolv (the ``solv`` wheel) with RPM semantics.

``python -m benchmarks.generators --help`` generates them by hand.
"""
