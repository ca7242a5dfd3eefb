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


class IdentityNotHeld(NotFound):
    """An anonymous petition has no identity to read."""

    slug = "identity-not-held"
    title = "No identity held"


class InvalidPetition(RuleViolation):
    """Fields that are individually valid but do not fit together (collective size against
    representatives, identity against anonymity, …)."""

    slug = "invalid-petition"
    title = "Invalid petition"


class NotYetClosed(Conflict):
    slug = "not-yet-closed"
    title = "Not yet closed"


class ReviewNotAllowed(Conflict):
    slug = "review-not-allowed"
    title = "Review not allowed"


class ReviewRequestLate(RuleViolation):
    """Review not requested within the time limit (a ground of non-acceptance, §4.4)."""

    slug = "review-request-late"
    title = "Review request too late"


class PortalKeyNotFound(NotFound):
    slug = "portal-key-not-found"
    title = "Portal key not found"


class IdempotencyKeyReused(RuleViolation):
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"


class TrackingNotFound(NotFound):
    """Unknown registration number or wrong query code: one answer for both."""

    slug = "tracking-not-found"
    title = "No petition with this number and query code"
