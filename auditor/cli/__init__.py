"""The command line.

Its first import keeps the code of the methods ``dataclasses`` generates (`process`), before
any of the command's classes is defined.
"""

from auditor.cli import process

process.keep_generated_methods()
