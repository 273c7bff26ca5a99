"""Binary formats the sources read: RPM headers and payloads, OpenPGP packets, compressed XML."""
