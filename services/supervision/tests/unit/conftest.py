from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from huiyin_shared.calendar import BusinessCalendar
from huiyin_supervision.domain.office import OfficeCalendar


@pytest.fixture
def office() -> OfficeCalendar:
    return OfficeCalendar(calendar=BusinessCalendar(), timezone=ZoneInfo("Asia/Shanghai"))
