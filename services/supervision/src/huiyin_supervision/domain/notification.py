"""Telling the petitioner of the closure or the transfer (003 督办制度(六); domain §6.4, §4.8).

Within 3 days of the closure, or of a transfer to the competent unit, the petitioner is
told. How depends on the petition: a real-name petitioner gets a reply (000 第二十五条), a
collective or joint petition a meeting with all petitioners or their representatives
(第二十六条), an anonymous one a published result (第二十七条). A result is never given by
phone (000 保密制度; domain §4.8). Pure rules: nothing here reads a clock or a database.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from huiyin_shared.errors import RuleViolation


class NotifyChannel(StrEnum):
    WRITTEN_REPLY = "written_reply"
    """A written reply to a real-name petitioner (答复)."""
    REPRESENTATIVES_MEETING = "representatives_meeting"
    """A meeting with the petitioners of a collective or joint petition or their
    representatives (召开全体信访人员或代表会议)."""
    PUBLISHED_RESULT = "published_result"
    """The result published in a suitable way, for an anonymous petition (公布)."""
    PHONE = "phone"
    """Never allowed for a result; accepted as input so the refusal can name the rule."""


class Occasion(StrEnum):
    CLOSURE = "closure"
    TRANSFER = "transfer"


class NotificationRefused(RuleViolation):
    slug = "petitioner-notification-refused"
    title = "The petitioner cannot be told this way"


def _refuse(rule_slug: str, text: str, field: str) -> NotificationRefused:
    return NotificationRefused(text, errors=[{"field": field, "message": text, "type": rule_slug}])


def allowed_channels(*, anonymous: bool, collective: bool) -> frozenset[NotifyChannel]:
    """The ways this petition's petitioner is told (domain §6.4)."""
    if anonymous:
        return frozenset({NotifyChannel.PUBLISHED_RESULT})
    if collective:
        return frozenset({NotifyChannel.REPRESENTATIVES_MEETING})
    return frozenset({NotifyChannel.WRITTEN_REPLY})


def check_notification(
    channel: NotifyChannel,
    *,
    anonymous: bool,
    collective: bool,
    occasion: Occasion,
    told_at: datetime,
    told_on: date,
    clock_start: date,
    now: datetime,
) -> None:
    """Refuse a notification that breaks a rule; the rule's slug names it."""
    if channel is NotifyChannel.PHONE and occasion is Occasion.CLOSURE:
        raise _refuse(
            "no-result-by-phone",
            "A result is never given to the petitioner by phone "
            "(000 保密制度; confidentiality, domain §4.8).",
            "channel",
        )
    allowed = allowed_channels(anonymous=anonymous, collective=collective)
    if channel not in allowed:
        kind = "anonymous" if anonymous else "collective" if collective else "real-name"
        ways = ", ".join(sorted(allowed))
        raise _refuse(
            "notify-channel-for-petition",
            f"The petitioner of a {kind} petition is told by {ways} "
            "(000 第二十五–二十七条; domain §6.4).",
            "channel",
        )
    if told_at > now:
        raise _refuse(
            "told-not-in-future", "The petitioner cannot have been told later than now.", "told_at"
        )
    if told_on < clock_start:
        raise _refuse(
            "told-after-occasion",
            f"The petitioner is told of the {occasion.value}, so not before {clock_start}.",
            "told_at",
        )
