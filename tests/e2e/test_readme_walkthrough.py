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

    def run(self, block: str) -> str:
        # Variables the block (or an earlier one, sourced) set are kept; bash's own are not.
        script = (
            "set -euo pipefail\n"
            "__before=$(compgen -v | sort)\n"
            f"if [ -f {self.state} ]; then source {self.state}; fi\n"
            f"{block}\n"
            f'declare -p $(comm -13 <(echo "$__before") <(compgen -v | sort) '
            f"| grep -E '^[A-Z][A-Z0-9_]*$' || true) > {self.state}\n"
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


def queued_and_clock_met(out: str) -> bool:
    values = json_lines(out)
    if not values or not isinstance(values[0], dict) or "registration_number" not in values[0]:
        return False
    clocks = [c for c in values[1:] if isinstance(c, dict)]
    return any(c["clock"] == "acceptance_notice" and c["met_on_time"] is True for c in clocks)


def ledger_recorded_and_intact(out: str) -> bool:
    lines = out.strip().splitlines()
    types, verification = lines[:-1], json.loads(lines[-1])
    assert verification["intact"] is True, verification
    return {"petition.registered", "petition.accepted"} <= set(types)


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
    (True, queued_and_clock_met),
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
            block: str = block, check: Callable[[str], bool] = check, seen: list[str] = seen
        ) -> bool:
            seen.append(shell.run(block))
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
