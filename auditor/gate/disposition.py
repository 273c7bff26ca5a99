"""How the gate ruled a fact (`auditor.gate.decision.Ruling`): in a module of its own, so that
what reads rulings (the baseline's progress) need not import the decision that makes them."""

from __future__ import annotations

import enum


class Disposition(enum.Enum):
    BLOCKS = "blocks"
    WAIVED = "waived"
    BASELINED = "baselined"
    ALLOWED = "allowed"
    BELOW_THRESHOLD = "below-threshold"
    NOT_GATED = "not-gated"
