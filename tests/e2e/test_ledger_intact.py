"""Last of the run (see conftest): after every path and every fault above, the
power-operation ledger holds every event the services published, and its chain verifies."""

from __future__ import annotations

import itertools
import json

from tests.e2e.flow import People, ok
from tests.e2e.harness import Suite, eventually


def test_the_ledger_holds_every_event_and_verifies_intact(suite: Suite, people: People) -> None:
    published = suite.published_event_ids()
    assert published, "the services published nothing?"

    def recorded() -> set[str]:
        ids: set[str] = set()
        after = 0
        while True:
            page = ok(
                people.officer.accountability.get(
                    "/v1/ledger/entries", params={"after": after, "limit": 1000}
                )
            )
            ids.update(e["event_id"] for e in page["entries"])
            if page["next_after"] is None:
                return ids
            after = page["next_after"]

    missing = eventually(
        lambda: not (published - recorded()), seconds=60, what="every published event recorded"
    )
    assert missing
    verification = people.ledger_verifies()
    assert verification["intact"] is True, verification
    assert verification["checked"] >= len(published)
    export = people.officer.accountability.get("/v1/ledger/export")
    lines = [json.loads(line) for line in export.text.splitlines()]
    assert [e["sequence"] for e in lines] == sorted(e["sequence"] for e in lines)
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(lines))
