"""The refusals intake's rules can give; the HTTP kit maps each to a problem response."""

from __future__ import annotations

from huiyin_shared.errors import Conflict, NotFound, RuleViolation


class PetitionNotFound(NotFound):
    slug = "petition-not-found"
    title = "Petition not found"


class PetitionAlreadyDecided(Conflict):
    """Only a registered petition can be accepted or not accepted, and only once."""

    slug = "petition-already-decided"
    title = "Petition already decided"


class ReceivedInFuture(RuleViolation):
    """A petition cannot have been received after the moment it is registered."""

    slug = "received-in-future"
    title = "Received in the future"
