"""Origins: the policy, its rules, and the evidence each package carries."""
