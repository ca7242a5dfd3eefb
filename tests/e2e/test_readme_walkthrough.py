"""The README's "One petition's life", run as written against the running suite.

Every shell block of the section runs in bash, in order, with the variables earlier blocks
set; only the services' addresses are pointed at this run's ports through the variables
the README reads. Each block's visible output is checked. A block that only reads
(no POST) is re-run until its output shows the effect, since events travel asynchronously.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import ROOT, Suite, eventually

SECTION = "## One petition's life"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)


def walkthrough_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return BLOCK.findall(text[start : end if end != -1 else len(text)])


def json_lines(output: str) -> list[object]:
    """The JSON values jq printed one after another."""
    decoder = json.JSONDecoder()
    values: list[object] = []
    rest = output.strip()
    while rest:
        value, end = decoder.raw_decode(rest)
        values.append(value)
        rest = rest[end:].lstrip()
    return values


@dataclass
class Shell:
    """Runs blocks one after another, carrying the upper-case variables they set."""

    env: dict[str, str]
    state: Path

    def run(self, block: str, *, tolerant: bool = False) -> str:
        # Variables the block (or an earlier one, sourced) set are kept, and PATH as a block
        # left it, as in one terminal; bash's own variables are not.
        script = (
            "set -euo pipefail\n"
            "__before=$(compgen -v | sort)\n"
            f"if [ -f {self.state} ]; then source {self.state}; fi\n"
            f"{block}\n"
            f'declare -p $(comm -13 <(echo "$__before") <(compgen -v | sort) '
            f"| grep -E '^[A-Z][A-Z0-9_]*$' || true) PATH > {self.state}\n"
        )
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if tolerant and done.returncode != 0:
            return ""  # e.g. jq on an answer that does not exist yet: try again
        assert done.returncode == 0, f"block failed ({done.returncode}):\n{block}\n{done.stderr}"
        return done.stdout


def registered(out: str) -> bool:
    (answer,) = json_lines(out)
    assert isinstance(answer, dict)
    assert re.fullmatch(r"370102-xfb-\d{4}-\d{6}", answer["registration_number"])
    assert answer["status"] == "registered"
    assert answer["query_code"]
    return True


def acceptance_clock_open(out: str) -> bool:
    clocks = json_lines(out)
    return any(
        isinstance(c, dict) and c["clock"] == "acceptance_notice" and c["due_date"] for c in clocks
    )


def accepted(out: str) -> bool:
    (answer,) = json_lines(out)
    assert isinstance(answer, dict)
    assert answer["status"] == "accepted"
    assert answer["decision"]["decision"] == "accept"
    assert answer["decision"]["decided_by"] == "clerk-01"
    return True


def clock_met_and_routed(out: str) -> bool:
    values = [v for v in json_lines(out) if isinstance(v, dict)]
    clocks = [v for v in values if "clock" in v]
    decisions = [v for v in values if "outcome" in v]
    # Before routing has decided, its explanation is a 404 problem that jq turns into nulls.
    if not any(d["outcome"] for d in decisions) or not any(
        c["clock"] == "acceptance_notice" and c["met_on_time"] is True for c in clocks
    ):
        return False
    (decision,) = decisions
    assert decision["outcome"] == "route"
    assert decision["lead_unit_id"] == "370102-rsj"
    assert decision["rules"], "the decision explains itself"
    return True


def case_opened_with_due_dates(out: str) -> bool:
    values = json_lines(out)
    if len(values) != 1 or not isinstance(values[0], dict):
        return False
    case = values[0]
    assert case["status"] == "assigned"
    (resolve,) = [c for c in case["clocks"] if c["clock"] == "resolve"]
    assert resolve["due_date"]
    assert "60 calendar days" in resolve["why"]
    return True


def ledger_recorded_and_intact(out: str) -> bool:
    lines = out.strip().splitlines()
    if not lines:
        return False
    types, verification = lines[:-1], json.loads(lines[-1])
    assert verification["intact"] is True, verification
    return {"petition.registered", "petition.accepted", "petition.routed"} <= set(types)


def holiday_shifted(out: str) -> bool:
    assert json_lines(out) == ["2026-10-08"]
    return True


def nothing(out: str) -> bool:
    return True


# One entry per shell block of the section, in order: (re-run until true?, check).
EXPECTATIONS: list[tuple[bool, Callable[[str], bool]]] = [
    (False, nothing),  # addresses and tokens
    (False, registered),
    (True, acceptance_clock_open),
    (False, accepted),
    (True, clock_met_and_routed),
    (True, case_opened_with_due_dates),
    (True, ledger_recorded_and_intact),
    (False, holiday_shifted),
]


def test_the_readme_walkthrough_runs_as_written(suite: Suite, tmp_path: Path) -> None:
    blocks = walkthrough_blocks()
    assert len(blocks) == len(EXPECTATIONS), "a README block was added or removed: check it here"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    env.update(
        INTAKE=suite.url("intake"),
        ROUTING=suite.url("routing"),
        SUPERVISION=suite.url("supervision"),
        ACCOUNTABILITY=suite.url("accountability"),
        UV_FROZEN="1",
    )
    shell = Shell(env=env, state=tmp_path / "state.sh")
    for block, (repeat, check) in zip(blocks, EXPECTATIONS, strict=True):
        seen: list[str] = []

        def effect(
            block: str = block,
            check: Callable[[str], bool] = check,
            seen: list[str] = seen,
            repeat: bool = repeat,
        ) -> bool:
            seen.append(shell.run(block, tolerant=repeat))
            return check(seen[-1])

        if repeat:
            eventually(
                effect,
                what=lambda b=block, s=seen: f"the effect of:\n{b}\nlast output:\n{_last(s)}",
            )
        else:
            assert effect(), f"unexpected output of:\n{block}\n{_last(seen)}"


def _last(seen: list[str]) -> str:
    return seen[-1] if seen else "(none)"
