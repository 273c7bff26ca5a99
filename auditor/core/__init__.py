"""What every layer shares: the error hierarchy with its exit codes, and reading the user's TOML files."""
