"""Reports: each format renders one result object to text."""
