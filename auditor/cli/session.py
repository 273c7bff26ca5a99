"""What every command starts from: the project file, the policy, the audit options and progress.

Built once by `auditor.cli.main` from the arguments, before any input is read, so a bad
project or policy file is a usage error (exit 2) whatever the command.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from auditor.audit.options import AuditOptions
from auditor.cli import options
from auditor.cli.output_options import refuse_reports_over_configuration, resolve_format
from auditor.cli.project import ProjectConfig, load_project
from auditor.core.readlog import ConfigReads
from auditor.formats.xmlstream import max_decompressed
from auditor.gate.options import GateOptions
from auditor.origin.policy import Policy
from auditor.runtime.progress import Progress


@dataclass
class Session:
    project: ProjectConfig
    policy: Policy
    options: AuditOptions
    gate: GateOptions
    progress: Progress
    config: ConfigReads
    """Every configuration file read, with the digest of its bytes: the project, policy and
    provenance files here, then the waiver, baseline and ``--compare`` files the command reads
    (a stored report is keyed on these, `auditor.cli.replay`)."""


def start(args: argparse.Namespace, config: ConfigReads) -> Session:
    """``config``: where the configuration files read are recorded (`recording_config`)."""
    max_decompressed()  # a bad AUDITOR_MAX_METADATA_BYTES is a usage error before any input is read
    resolve_format(args)  # so is a report file whose extension names no format
    project = load_project(args.config)
    refuse_reports_over_configuration(args, project)
    return Session(
        project=project,
        policy=options.policy(args, project),
        options=options.audit_options(args, project),
        gate=options.gate_options(args, project),
        progress=Progress(enabled=not args.quiet),
        config=config,
    )
