from __future__ import annotations

from huiyin_intake.domain.redaction import MASK, redact


def test_known_names_and_identity_shaped_numbers_are_masked() -> None:
    text = "我是张三丰，身份证370102198001011237，电话138-0013-8000，座机0531-88886666，邮箱a.b@example.cn"
    assert (
        redact(text, ["张三丰"]) == f"我是{MASK}，身份证{MASK}，电话{MASK}，座机{MASK}，邮箱{MASK}"
    )


def test_ordinary_text_and_one_character_names_are_left_alone() -> None:
    text = "拖欠工资三个月，金额12000元，2026年3月"
    assert redact(text, ["王"]) == text
