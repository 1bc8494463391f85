"""The suites are generated from the contract and the thresholds come from one seed."""

from __future__ import annotations

import csv
from datetime import date, datetime

from orchestration.contract import get_extract, load_contract
from orchestration.quality.accuracy import accuracy_rules, known_tables
from orchestration.quality.completeness import completeness_rules
from orchestration.quality.thresholds import THRESHOLDS_SEED, threshold
from orchestration.quality.timeliness import timeliness_rules
from orchestration.settings import SEEDS_DIR

TZ = "America/New_York"


def test_the_seed_holds_the_sop_007_standards():
    # SOP-007 §4.3 / catalogue §7.2-7.3, the numbers the seed must carry.
    assert [threshold("completeness", t).value for t in ("critical", "primary", "secondary",
            "optional")] == [1.0, 0.95, 0.90, 0.80]  # fmt: skip
    assert [threshold("accuracy", d).value for d in ("financial", "client", "operational",
            "performance", "survey")] == [0.999, 0.995, 0.99, 0.98, 0.95]  # fmt: skip
    income = threshold("reconciliation", "stripe_vs_quickbooks_income")
    assert (income.operator, income.value) == ("<=", 0.001)
    with (SEEDS_DIR / THRESHOLDS_SEED).open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 13


def test_completeness_suite_has_one_rule_per_contract_column_at_its_tier():
    tickets = get_extract("support.tickets")
    rules = {r.column: r for r in completeness_rules(tickets)}
    assert set(rules) == {c.name for c in tickets.columns}
    # channel is primary (95%), created_at critical (100%, blocking), resolved_at critical but
    # judged on solved tickets only.
    assert (rules["channel"].threshold.value, rules["channel"].blocking) == (0.95, False)
    assert (rules["created_at"].threshold.value, rules["created_at"].blocking) == (1.0, True)
    assert "'solved'" in rules["resolved_at"].valid_when


def test_accuracy_suite_is_generated_from_the_contract_plus_the_hand_written_rules():
    calls = get_extract("dialer.calls")
    rules = {r.name: r for r in accuracy_rules(calls, TZ)}
    # Generated: range [0, 14400] and allowed values from the column meta, key rules, the
    # agent's and client's references, lines quarantined; hand-written: the funnel.
    assert {
        "duration_s_in_range", "queue_allowed", "no_duplicate_record_in_file",
        "agent_id_references_hr__employees", "client_id_references_crm__contacts",
        "lines_loaded", "call_funnel_is_monotone", "all_row_rules",
    } <= set(rules)  # fmt: skip
    assert (
        't."duration_s" >= 0 and t."duration_s" <= 14400' in rules["duration_s_in_range"].valid_when
    )
    assert rules["call_funnel_is_monotone"].origin == "expectations/accuracy.yml"
    # Every rule of an operational extract is judged at the operational threshold (99%).
    assert {r.threshold.value for r in rules.values()} == {0.99}
    assert not any(r.blocking for r in rules.values())
    # all_row_rules combines exactly the row rules (catalogue §7.2 "rows passing all checks").
    row_rules = {n for n, r in rules.items() if r.valid_when is not None}
    assert set(rules["all_row_rules"].combines) == row_rules


def test_change_feeds_check_each_version_is_delivered_once():
    assert "version_delivered_once" in {
        r.name for r in accuracy_rules(get_extract("crm.contacts"), TZ)
    }
    assert "version_delivered_once" not in {
        r.name for r in accuracy_rules(get_extract("dialer.calls"), TZ)
    }


def test_every_hand_written_rule_names_a_contract_extract_and_builds():
    identifiers = {e.identifier for e in load_contract()}
    assert known_tables() <= identifiers
    for extract in load_contract():
        names = [r.name for r in accuracy_rules(extract, TZ)]
        assert len(names) == len(set(names)), extract.identifier


def test_timeliness_slas_come_from_the_contract_freshness():
    as_of = datetime(2026, 1, 1, 11)
    ledger = {
        r.name: r
        for r in timeliness_rules(
            get_extract("quickbooks.gl_entries"), TZ, as_of, date(2025, 12, 31)
        )
    }
    calls = {r.name: r for r in timeliness_rules(get_extract("dialer.calls"), TZ, as_of, None)}
    # error_after: 45 days for the month-end ledger, 50 hours for daily extracts.
    assert ledger["freshness_lag_hours"].threshold.value == 45 * 24
    assert calls["freshness_lag_hours"].threshold.value == 50
    assert "<= 50.0" in calls["on_time_records"].valid_when
    assert calls["delivered"].threshold.value == 1.0
