"""Generator of a synthetic national-size jurisdiction registry (format huiyin-registry/1).

    uv run python bench/routing_registry.py --out var/national-registry.yaml [--scale 1.0]

At scale 1.0: 31 provinces, ≈340 prefectures, ≈3,000 counties, ≈40,000 townships; every
county and township has ≈10 units (government, party committee, departments or stations,
discipline inspection, court …) with competences, a head, handlers and leaders in charge;
a few declared conflicts. Names are synthetic; codes follow the national scheme. A smaller
``--scale`` keeps the shape (``--scale 0.01`` ≈ 30 counties, 400 townships).

``build_document`` is imported by ``bench/routing.py`` to skip the YAML round trip.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path
from typing import Any

import yaml

SERVICE = ["appeal", "help_request", "suggestion", "inquiry", "report", "accusation"]
ACCUSE = ["report", "accusation"]

COUNTY_UNITS: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    (
        "zf",
        "人民政府",
        "government",
        [
            {"subjects": ["government.*"]},
            {"subjects": ["*"], "kinds": ["suggestion", "inquiry"], "priority": 200},
        ],
    ),
    ("qw", "委员会", "party_committee", [{"subjects": ["party.*"], "kinds": ACCUSE}]),
    ("xfb", "信访局", "petition_office", [{"subjects": ["petition.*"], "priority": 10}]),
    (
        "jw",
        "纪委监委",
        "discipline_inspection",
        [
            {
                "subjects": ["discipline.*", "cadre.style"],
                "kinds": [*ACCUSE, "appeal"],
                "priority": 10,
            }
        ],
    ),
    (
        "rsj",
        "人力资源和社会保障局",
        "department",
        [
            {"subjects": ["labour.*"], "priority": 10},
            {"subjects": ["land.requisition"], "role": "participate"},
        ],
    ),
    (
        "zjj",
        "住房和城乡建设局",
        "department",
        [
            {"subjects": ["housing.*"], "priority": 10},
            {"subjects": ["labour.wages.construction"], "priority": 50},
        ],
    ),
    ("zrj", "自然资源局", "department", [{"subjects": ["land.*", "planning.*"], "priority": 10}]),
    (
        "mzj",
        "民政局",
        "department",
        [{"subjects": ["civil_affairs.*", "veterans.*"], "priority": 10}],
    ),
    ("gaj", "公安局", "department", [{"subjects": ["public_security.*"], "priority": 10}]),
    (
        "jyj",
        "教育局",
        "department",
        [{"subjects": ["education.*", "health.*", "market.*", "environment.*"], "priority": 10}],
    ),
    ("fy", "人民法院", "court", [{"subjects": ["litigation.*", "judicial.*"], "priority": 10}]),
]

TOWNSHIP_UNITS: list[tuple[str, str, str, list[dict[str, Any]]]] = [
    (
        "zf",
        "人民政府",
        "government",
        [
            {"subjects": ["community.*", "rural.*"], "priority": 10},
            {"subjects": ["*"], "kinds": ["suggestion", "inquiry"], "priority": 200},
        ],
    ),
    ("dw", "党委", "party_committee", [{"subjects": ["party.*"], "kinds": ACCUSE}]),
    ("ldbzs", "劳动保障所", "department", [{"subjects": ["labour.wages"], "role": "participate"}]),
    ("gts", "国土所", "department", [{"subjects": ["land.contract", "land.use"], "priority": 10}]),
    ("mzs", "民政办", "department", [{"subjects": ["civil_affairs.assistance"], "priority": 10}]),
    ("pcs", "派出所", "department", [{"subjects": ["public_security.order"], "priority": 10}]),
    ("sfs", "司法所", "department", [{"subjects": ["mediation.*"], "priority": 10}]),
    ("nyz", "农业综合服务站", "department", [{"subjects": ["agriculture.*"], "priority": 10}]),
    ("cgzd", "综合执法队", "department", [{"subjects": ["urban.*"], "priority": 10}]),
    (
        "jwgw",
        "纪委",
        "discipline_inspection",
        [{"subjects": ["discipline.village"], "kinds": ACCUSE, "priority": 10}],
    ),
]

AREAS = ["labour", "land", "housing", "civil_affairs", "public_security", "education", "community"]


def _units(
    code: str,
    name: str,
    template: list[tuple[str, str, str, list[dict[str, Any]]]],
    manager: str | None,
    people: list[dict[str, Any]],
    organisations: list[dict[str, Any]],
) -> None:
    for abbr, suffix, kind, competences in template:
        unit_id = f"{code}-{abbr}"
        head = f"{unit_id}-head"
        people.append(
            {
                "id": head,
                "name": f"{name}{suffix}负责人",
                "unit": unit_id,
                "post": "负责人",
                "managed_by": manager,
            }
        )
        organisations.append(
            {
                "id": unit_id,
                "name": name + suffix,
                "division": code,
                "type": kind,
                "head": head,
                "handlers": [f"{unit_id}-h1", f"{unit_id}-h2"],
                "competences": competences,
            }
        )


def build_document(scale: float = 1.0, seed: int = 7) -> dict[str, Any]:
    """The registry as the file format's plain structure (what YAML would parse to)."""
    rng = random.Random(seed)
    divisions: list[dict[str, Any]] = []
    organisations: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    conflicts: list[dict[str, Any]] = []
    provinces = max(1, round(31 * min(1.0, scale * 10)))
    counties_total = max(1, round(3000 * scale))
    per_province = max(1, counties_total // provinces)
    for p in range(provinces):
        province = f"{11 + p:02d}0000"
        divisions.append({"code": province, "name": f"第{p + 1}省"})
        _units(province, f"第{p + 1}省", COUNTY_UNITS, None, people, organisations)
        prefectures = max(1, round(per_province / 9))
        for f in range(prefectures):
            prefecture = f"{11 + p:02d}{f + 1:02d}00"
            pname = f"第{p + 1}省第{f + 1}市"
            divisions.append({"code": prefecture, "name": pname})
            _units(prefecture, pname, COUNTY_UNITS, f"{province}-qw", people, organisations)
            for c in range(math.ceil(per_province / prefectures)):
                county = f"{11 + p:02d}{f + 1:02d}{c + 1:02d}"
                cname = f"{pname}第{c + 1}县"
                leaders = {area: f"{county}-zf-fz{i % 3 + 1}" for i, area in enumerate(AREAS)}
                for i in range(3):
                    people.append(
                        {
                            "id": f"{county}-zf-fz{i + 1}",
                            "name": f"{cname}副县长{i + 1}",
                            "unit": f"{county}-zf",
                            "post": "副县长",
                            "managed_by": f"{prefecture}-qw",
                        }
                    )
                divisions.append(
                    {
                        "code": county,
                        "name": cname,
                        "leaders": {"top": f"{county}-qw-head", "in_charge": leaders},
                    }
                )
                _units(county, cname, COUNTY_UNITS, f"{prefecture}-qw", people, organisations)
                for t in range(rng.randint(10, 17)):
                    township = f"{county}{t + 1:03d}"
                    tname = f"{cname}第{t + 1}镇"
                    divisions.append(
                        {"code": township, "name": tname, "leaders": {"top": f"{township}-dw-head"}}
                    )
                    _units(township, tname, TOWNSHIP_UNITS, f"{county}-qw", people, organisations)
                conflicts.append(
                    {
                        "staff": f"{county}-jw-h2",
                        "with_person": f"{county}001-dw-head",
                        "reason": "近亲属",
                    }
                )
    return {
        "format": "huiyin-registry/1",
        "divisions": divisions,
        "organisations": organisations,
        "people": people,
        "conflicts": conflicts,
    }


def plain_dumper() -> Any:
    """A dumper that writes shared sub-structures out in full (registry files have no
    anchors or aliases)."""
    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc,valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return Dumper


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    document = build_document(args.scale, args.seed)
    dumper = plain_dumper()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle, Dumper=dumper, allow_unicode=True, sort_keys=False)
    counties = sum(
        1 for d in document["divisions"] if len(d["code"]) == 6 and not d["code"].endswith("00")
    )
    townships = sum(1 for d in document["divisions"] if len(d["code"]) == 9)
    print(
        f"{args.out}: {counties} counties, {townships} townships, "
        f"{len(document['organisations'])} organisations, {len(document['people'])} people",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
