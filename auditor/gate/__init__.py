"""The release gate: which findings block, with waivers and the baseline."""
