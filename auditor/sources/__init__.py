"""Sources: everything the auditor can read packages from (`auditor.sources.load.load_inputs`)."""
