"""The policy field table (storage/policy_fields.py) covers every Policy field and every policy_year column, and a
policy read from a file goes into the database and comes back out unchanged."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from rules.policy import Policy
from storage.policy_data import read_policy_file
from storage.policy_fields import FIELDS, policy_from_file, policy_of, row_of
from storage.tables import PolicyYear
from tests.paths import REPO

FY2025 = REPO / "storage" / "policies" / "fy2025.toml"


def test_the_table_names_every_policy_field_and_every_column_once() -> None:
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    assert set(names) == {f.name for f in dataclasses.fields(Policy)} - {"fy"}
    columns = {f.name for f in FIELDS if f.column}
    assert columns == set(PolicyYear.model_fields) - {"fy"}
    assert [f.name for f in FIELDS if not f.column] == ["strands"]


def test_a_policy_goes_into_its_row_and_comes_back_the_same() -> None:
    policy, _items = read_policy_file(FY2025)
    row = row_of(policy)
    assert row.fy == 2025 and row.fy_reminder_days == "90,60,30,14,7,1" and row.unsnoozable_days == "7,1"
    assert policy_of(row, dict(policy.strands), 2025) == policy
    assert policy_of(row, dict(policy.strands), 2027) == dataclasses.replace(policy, fy=2027)


def _file(**tables: object) -> dict[str, object]:
    data: dict[str, object] = {
        "fy": 2030,
        "requirement": {"required_hours": 12, "alet_minimum_hours": 6, "external_maximum_hours": 6},
        "strands": {"1": "One"},
        "cto_academy": {"applies_from": date(2024, 10, 1), "months": 24, "due_soon_days": 90},
        "reminders": {"fy_days_before": [30, 1], "cto_days_before": [7]},
    }
    data.update(tables)
    return data


def test_a_file_may_leave_out_the_optional_numbers_which_take_the_policys_defaults() -> None:
    policy = policy_from_file(_file())
    assert (policy.fy, policy.required, policy.strands, policy.fy_reminder_days) == (2030, 48, {1: "One"}, (30, 1))
    defaults = Policy(fy=2030, required=0, alet_minimum=0, external_maximum=0, strands={})
    for f in FIELDS:
        if f.optional:
            assert getattr(policy, f.name) == getattr(defaults, f.name), f.name


@pytest.mark.parametrize("missing", ["requirement", "strands", "cto_academy", "reminders", "fy"])
def test_a_file_without_a_required_table_is_refused_naming_it(missing: str) -> None:
    data = _file()
    del data[missing]
    with pytest.raises(KeyError, match=missing):
        policy_from_file(data)


def test_the_shipped_file_is_read_through_the_table(tmp_path: Path) -> None:
    text = FY2025.read_text(encoding="utf-8").replace("review_wait_days = 3", "review_wait_days = 5")
    (tmp_path / "fy2025.toml").write_text(text, encoding="utf-8")
    policy, _items = read_policy_file(tmp_path / "fy2025.toml")
    assert policy.review_wait_days == 5
