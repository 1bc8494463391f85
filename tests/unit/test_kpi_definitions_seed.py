"""Checks of seeds/kpi_definitions.csv and seeds/kpi_params.csv against KPI_CATALOGUE.md."""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

COLUMNS = [
    "kpi_id",
    "name",
    "perspective",
    "level",
    "department",
    "unit",
    "direction",
    "target_operator",
    "target_value",
    "target_low",
    "target_high",
    "target_param",
    "reference_high",
    "red_flag_operator",
    "red_flag_value",
    "red_flag_low",
    "red_flag_high",
    "red_flag_factor",
    "red_flag_rule",
    "time_grains",
    "entity_grains",
    "slices",
    "agg",
    "cs_tier",
    "annualisation",
    "target_scales_with_months",
    "min_n",
    "formula",
    "source_ref",
]
NUMERIC = [
    "target_value",
    "target_low",
    "target_high",
    "reference_high",
    "red_flag_value",
    "red_flag_low",
    "red_flag_high",
    "red_flag_factor",
]
ENUMS = {
    "perspective": {"financial", "client", "internal_process", "learning_growth"},
    "level": {"strategic", "operational", "tactical"},
    "department": {
        "finance",
        "sales",
        "marketing",
        "client_success",
        "customer_support",
        "disputes",
        "operations",
        "hr",
        "technology",
        "compliance",
    },
    "unit": {
        "usd",
        "pct",
        "ratio",
        "days",
        "hours",
        "minutes",
        "seconds",
        "points",
        "score_5",
        "score_10",
        "count",
        "x_per_year",
    },
    "direction": {"higher_is_better", "lower_is_better", "target_range"},
    "target_operator": {">", ">=", "<", "<=", "=", "range", "none"},
    "red_flag_operator": {"<=", ">=", "<", ">", "outside", "none"},
    "red_flag_rule": {"src", "d:P", "d:S", "d:V", "d:Z", "d:R", "d:G", "none"},
    "agg": {"A", "R", "M", "P", "C", "X"},
    "cs_tier": {"", "1", "2", "3"},
    "annualisation": {"none", "survival", "loss", "linear"},
    "target_scales_with_months": {"true", "false"},
    "min_n": {"", "5", "10"},
}
TIME_GRAINS = {"d", "w", "m", "q", "y"}
ENTITY_GRAINS = {"co", "dept", "emp", "agent", "client"}
ANNUALISED = {
    "client_retention_rate",
    "client_churn_rate",
    "employee_retention_rate",
    "employee_turnover_rate",
}
# Catalogue KPIs whose target is none/– (status no_target, no red flag).
NO_TARGET = {
    "clv",
    "campaign_roi",
    "cost_per_acquisition",
    "average_deal_size",
    "open_pipeline_value",
    "payment_accuracy_rate",
    "revenue_collection_rate",
    "on_time_payment_rate",
    "ticket_resolution_time",
    "customer_acquisitions_marketing",
    "website_sessions",
    "blocker_resolution_time",
    "dialer_correction_time",
    "lead_to_sale_conversion_rate",
    "leads_generated",
    "qualified_leads_generated",
    "website_lead_conversion_rate",
    "sales_cycle_length",
    "support_ticket_volume",
    "on_time_delivery_rate",
    "production_quality_pass_rate",
}
PARAM_DEFAULTS = {
    "short_call_threshold_s": 60,
    "short_call_trigger_count": 7,
    "t2_consecutive": 4,
    "t3_consecutive": 6,
    "conversion_window_days": 90,
    "removal_window_days": 120,
    "intake_window_days": 14,
    "ob_close_days": 60,
    "outcome_horizon_days": 182,
    "min_survey_n": 10,
    "materiality_pct": 1,
    "min_employee_survey_n": 5,
    "turnover_benchmark_pct": 20,
    "fiscal_year_start_month": 1,
    "collection_window_days": 30,
    "expansion_horizon_days": 91,
}


def _read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read("kpi_definitions.csv")


@pytest.fixture(scope="module")
def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["kpi_id"]: r for r in rows}


@pytest.fixture(scope="module")
def params() -> dict[str, dict[str, str]]:
    return {r["parameter"]: r for r in _read("kpi_params.csv")}


def _f(value: str) -> float:
    return float(value)


# ---------------------------------------------------------------- structure


def test_header_and_column_order() -> None:
    with (SEEDS / "kpi_definitions.csv").open(newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header == COLUMNS


def test_row_counts(rows: list[dict[str, str]]) -> None:
    assert len(rows) == 110
    counts = Counter(r["perspective"] for r in rows)
    assert counts == {
        "financial": 25,
        "client": 28,
        "internal_process": 46,
        "learning_growth": 11,
    }


def test_perspectives_in_catalogue_order(rows: list[dict[str, str]]) -> None:
    order = [r["perspective"] for r in rows]
    assert order == sorted(
        order,
        key=["financial", "client", "internal_process", "learning_growth"].index,
    )
    assert rows[0]["kpi_id"] == "mrr"
    assert rows[-1]["kpi_id"] == "employee_turnover_rate"


def test_kpi_id_unique_and_snake_case(rows: list[dict[str, str]]) -> None:
    ids = [r["kpi_id"] for r in rows]
    assert len(ids) == len(set(ids))
    for kpi_id in ids:
        assert re.fullmatch(r"[a-z0-9_]+", kpi_id), kpi_id


def test_no_missing_cells(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert None not in r, r["kpi_id"]  # no extra cells
        assert all(v is not None for v in r.values()), r["kpi_id"]
        for col in ("name", "formula", "source_ref"):
            assert r[col].strip(), (r["kpi_id"], col)


@pytest.mark.parametrize("column", sorted(ENUMS))
def test_enums(rows: list[dict[str, str]], column: str) -> None:
    bad = {r["kpi_id"]: r[column] for r in rows if r[column] not in ENUMS[column]}
    assert not bad


def test_numeric_fields_parse(rows: list[dict[str, str]]) -> None:
    for r in rows:
        for col in NUMERIC:
            if r[col] != "":
                assert re.fullmatch(r"-?\d+(\.\d+)?", r[col]), (r["kpi_id"], col, r[col])
                _f(r[col])


def test_grains_use_allowed_values(rows: list[dict[str, str]]) -> None:
    for r in rows:
        time = r["time_grains"].split(",")
        ents = r["entity_grains"].split(",")
        assert time and set(time) <= TIME_GRAINS, r["kpi_id"]
        assert ents and set(ents) <= ENTITY_GRAINS, r["kpi_id"]
        assert len(time) == len(set(time)), r["kpi_id"]
        assert len(ents) == len(set(ents)), r["kpi_id"]
        if r["slices"]:
            for s in r["slices"].split(","):
                assert re.fullmatch(r"[a-z_]+", s), (r["kpi_id"], s)


# ---------------------------------------------------------------- consistency


def test_target_consistency(rows: list[dict[str, str]]) -> None:
    for r in rows:
        kid, op = r["kpi_id"], r["target_operator"]
        if op == "range":
            assert r["target_low"] and r["target_high"], kid
            assert _f(r["target_low"]) < _f(r["target_high"]), kid
            assert r["target_value"] == "" and r["target_param"] == "", kid
            assert r["direction"] == "target_range", kid
        else:
            assert r["target_low"] == "" and r["target_high"] == "", kid
        if op == "none":
            assert r["target_value"] == "" and r["target_param"] == "", kid
            assert r["red_flag_operator"] == "none", kid
        if op not in ("range", "none"):
            # exactly one of a literal target or a parameter target
            assert (r["target_value"] != "") != (r["target_param"] != ""), kid
        if r["direction"] == "target_range":
            assert op == "range", kid


def test_no_target_set_matches_catalogue(rows: list[dict[str, str]]) -> None:
    assert {r["kpi_id"] for r in rows if r["target_operator"] == "none"} == NO_TARGET


def test_red_flag_consistency(rows: list[dict[str, str]]) -> None:
    for r in rows:
        kid, rop = r["kpi_id"], r["red_flag_operator"]
        if rop == "outside":
            assert r["red_flag_low"] and r["red_flag_high"], kid
            assert _f(r["red_flag_low"]) < _f(r["red_flag_high"]), kid
            assert r["red_flag_value"] == "", kid
        else:
            assert r["red_flag_low"] == "" and r["red_flag_high"] == "", kid
        if rop == "none":
            assert r["red_flag_rule"] == "none", kid
            assert r["red_flag_value"] == "" and r["red_flag_factor"] == "", kid
        else:
            assert r["red_flag_rule"] != "none", kid
        if rop in ("<=", ">=", "<", ">"):
            # a literal threshold, or a factor applied to the parameter target
            assert (r["red_flag_value"] != "") != (r["red_flag_factor"] != ""), kid
        if r["red_flag_factor"]:
            assert r["target_param"], kid
        # every KPI with a target has a red flag (the catalogue gives one for all of them)
        if r["target_operator"] != "none":
            assert rop != "none", kid


def test_derived_flags_inclusive_source_flags_keep_comparator(
    rows: list[dict[str, str]],
) -> None:
    for r in rows:
        rule, rop = r["red_flag_rule"], r["red_flag_operator"]
        if rule.startswith("d:"):
            assert rop in ("<=", ">=", "outside"), r["kpi_id"]
        if rule == "src":
            assert rop in ("<", ">"), r["kpi_id"]


def test_red_flag_side_matches_direction(rows: list[dict[str, str]]) -> None:
    for r in rows:
        rop, kid = r["red_flag_operator"], r["kpi_id"]
        if r["direction"] == "higher_is_better" and rop != "none":
            assert rop in ("<", "<="), kid
            if r["target_value"]:
                assert _f(r["red_flag_value"]) < _f(r["target_value"]), kid
        if r["direction"] == "lower_is_better" and rop != "none":
            assert rop in (">", ">="), kid
            if r["target_value"]:
                assert _f(r["red_flag_value"]) > _f(r["target_value"]), kid


def test_derived_rules_reproduce_thresholds(rows: list[dict[str, str]]) -> None:
    """Catalogue §1.6: recompute d:P, d:S and d:V thresholds from the target."""
    checked = 0
    for r in rows:
        if not r["target_value"] or r["target_operator"] == "range":
            continue
        t, rule, kid = _f(r["target_value"]), r["red_flag_rule"], r["kpi_id"]
        higher = r["direction"] == "higher_is_better"
        if rule == "d:V":
            expected = 0.75 * t if higher else 1.25 * t
        elif rule == "d:P":
            if higher:
                expected = 95.0 if t == 100 else max(t - 15, 2 * t - 100, t / 2)
            else:
                expected = min(t + 15, 2 * t)
        elif rule == "d:S":
            step = {"score_5": 0.4, "score_10": 1.0, "points": 20.0}[r["unit"]]
            expected = t - step
        else:
            continue
        assert _f(r["red_flag_value"]) == pytest.approx(expected), kid
        checked += 1
    assert checked == 69


def test_flags_and_survey_minimums(rows: list[dict[str, str]]) -> None:
    annualised = {r["kpi_id"]: r["annualisation"] for r in rows if r["annualisation"] != "none"}
    # §1.3: retention r^(12/months), churn 1 - (1 - c)^(12/months), turnover x 12/months.
    assert annualised == {
        "client_retention_rate": "survival",
        "employee_retention_rate": "survival",
        "client_churn_rate": "loss",
        "employee_turnover_rate": "linear",
    }
    assert set(annualised) == ANNUALISED
    for r in rows:
        if r["kpi_id"] in ANNUALISED:
            assert not set(r["time_grains"].split(",")) & {"d", "w"}, r["kpi_id"]
    scales = {r["kpi_id"] for r in rows if r["target_scales_with_months"] == "true"}
    assert scales == {"operating_cash_flow"}
    min_n = {r["kpi_id"]: r["min_n"] for r in rows if r["min_n"]}
    assert min_n == {
        "nps_company": "10",
        "csat": "10",
        "onboarding_csat": "10",
        "nps_onboarding": "10",
        "employee_satisfaction": "5",
    }
    assert {r["kpi_id"] for r in rows if r["reference_high"]} == {"close_rate"}
    assert {r["kpi_id"] for r in rows if r["target_param"]} == {"employee_turnover_rate"}


def test_cs_tiers(by_id: dict[str, dict[str, str]]) -> None:
    tiers = {k: r["cs_tier"] for k, r in by_id.items() if r["cs_tier"]}
    assert tiers == {
        "time_to_first_win": "1",
        "onboarding_completion_rate": "1",
        "onboarding_csat": "1",
        "tool_adoption_rate": "2",
        "client_retention_6m": "2",
        "agency_hours_per_client": "2",
        "expansion_rate_3m": "3",
        "nps_onboarding": "3",
        "onboarding_automation_rate": "3",
    }


# ---------------------------------------------------------------- spot checks


def _primary(r: dict[str, str]) -> tuple[str, str]:
    return r["time_grains"].split(",")[0], r["entity_grains"].split(",")[0]


def test_spot_mrr(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["mrr"]
    assert (r["target_operator"], _f(r["target_value"])) == (">", 500000)
    assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
        "<=",
        375000,
        "d:V",
    )
    assert r["time_grains"] == "m,d,w,q,y"
    assert _primary(r) == ("m", "co")
    assert r["slices"] == "plan,interval"
    assert (r["level"], r["department"], r["unit"], r["agg"]) == (
        "strategic",
        "finance",
        "usd",
        "P",
    )


def test_spot_total_onboarding_duration(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["total_onboarding_duration"]
    assert r["direction"] == "target_range"
    assert r["target_operator"] == "range"
    assert (_f(r["target_low"]), _f(r["target_high"])) == (21, 30)
    assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
        ">",
        45,
        "src",
    )
    assert r["red_flag_low"] == "" and r["red_flag_high"] == ""


def test_spot_avg_call_duration(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["avg_call_duration"]
    assert r["target_operator"] == "range"
    assert (_f(r["target_low"]), _f(r["target_high"])) == (6, 8)
    assert r["red_flag_operator"] == "outside"
    assert (_f(r["red_flag_low"]), _f(r["red_flag_high"])) == (5, 9)
    assert r["red_flag_rule"] == "d:R"
    assert _primary(r) == ("d", "agent")


def test_spot_close_rate(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["close_rate"]
    assert (r["target_operator"], _f(r["target_value"])) == (">=", 10)
    assert _f(r["reference_high"]) == 15
    assert r["target_high"] == ""
    assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
        "<=",
        5,
        "d:P",
    )


def test_spot_talk_time_per_hour(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["talk_time_per_hour"]
    assert (r["target_operator"], _f(r["target_value"])) == (">=", 35)
    assert r["target_high"] == "" and r["reference_high"] == ""
    assert (r["red_flag_operator"], _f(r["red_flag_value"])) == ("<=", 26.25)
    assert r["unit"] == "minutes"


def test_spot_operating_cash_flow(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["operating_cash_flow"]
    assert r["target_scales_with_months"] == "true"
    assert (r["target_operator"], _f(r["target_value"])) == (">", 100000)
    assert (r["red_flag_operator"], _f(r["red_flag_value"])) == ("<=", 75000)
    assert r["agg"] == "A"


def test_spot_employee_turnover_rate(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["employee_turnover_rate"]
    assert r["target_operator"] == "<="
    assert r["target_value"] == ""
    assert r["target_param"] == "turnover_benchmark_pct"
    assert r["red_flag_operator"] == ">="
    assert r["red_flag_value"] == ""
    assert _f(r["red_flag_factor"]) == 1.25
    assert r["red_flag_rule"] == "d:V"
    assert r["annualisation"] == "linear"
    assert _primary(r) == ("y", "co")
    assert r["direction"] == "lower_is_better"


def test_spot_backup_and_certification(by_id: dict[str, dict[str, str]]) -> None:
    for kid in ("backup_success_rate", "certification_maintenance_rate"):
        r = by_id[kid]
        assert (r["target_operator"], _f(r["target_value"])) == ("=", 100), kid
        assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
            "<=",
            95,
            "d:P",
        ), kid
    assert by_id["certification_maintenance_rate"]["time_grains"] == "m,d,q,y"
    assert by_id["certification_maintenance_rate"]["agg"] == "P"


def test_spot_security_incident_rate(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["security_incident_rate"]
    assert (r["target_operator"], _f(r["target_value"])) == ("=", 0)
    assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
        ">=",
        2,
        "d:Z",
    )
    assert (r["unit"], r["agg"]) == ("count", "A")


def test_spot_production_delay_days(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["production_delay_days"]
    assert (r["target_operator"], _f(r["target_value"])) == ("<=", 0)
    assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
        ">=",
        14,
        "d:G",
    )
    assert _primary(r) == ("m", "co")


def test_spot_sales_target_achievement(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["sales_target_achievement"]
    assert (r["target_operator"], _f(r["target_value"])) == (">=", 100)
    assert (r["red_flag_operator"], _f(r["red_flag_value"])) == ("<=", 75)
    assert r["entity_grains"] == "co,dept,agent"
    assert r["department"] == "sales"


def test_spot_client_health_score(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["client_health_score"]
    assert (r["target_operator"], _f(r["target_value"])) == (">=", 80)
    assert (r["red_flag_operator"], _f(r["red_flag_value"]), r["red_flag_rule"]) == (
        "<",
        60,
        "src",
    )
    assert r["entity_grains"] == "client,co"
    assert _primary(r) == ("d", "client")


def test_spot_source_flags(by_id: dict[str, dict[str, str]]) -> None:
    expected = {
        "expansion_rate_3m": ("<", 20),
        "time_to_first_win": (">", 10),
        "onboarding_response_time": (">", 24),
        "onboarding_completion_rate": ("<", 75),
        "onboarding_csat": ("<", 7),
        "nps_onboarding": ("<", 30),
        "agency_hours_per_client": (">", 20),
        "onboarding_ticket_volume": (">", 15),
    }
    for kid, (op, value) in expected.items():
        r = by_id[kid]
        assert (r["red_flag_operator"], _f(r["red_flag_value"])) == (op, value), kid
        assert r["red_flag_rule"] == "src", kid


def test_spot_n_plus_targets_are_inclusive(by_id: dict[str, dict[str, str]]) -> None:
    expected = {
        "quote_rate": 70,
        "application_rate": 40,
        "onboarding_csat": 8,
        "nps_onboarding": 50,
    }
    for kid, value in expected.items():
        r = by_id[kid]
        assert (r["target_operator"], _f(r["target_value"])) == (">=", value), kid


def test_spot_strict_operators_and_units(by_id: dict[str, dict[str, str]]) -> None:
    r = by_id["csat"]
    assert (r["target_operator"], _f(r["target_value"]), _f(r["red_flag_value"])) == (
        ">",
        4.5,
        4.1,
    )
    assert r["unit"] == "score_5"
    r = by_id["client_churn_rate"]
    assert (r["target_operator"], _f(r["target_value"]), _f(r["red_flag_value"])) == (
        "<",
        10,
        20,
    )
    assert r["annualisation"] == "loss"
    r = by_id["system_uptime"]
    assert (r["target_operator"], _f(r["target_value"]), _f(r["red_flag_value"])) == (
        ">",
        99.5,
        99.0,
    )
    assert (r["level"], r["slices"]) == ("strategic", "system")
    assert by_id["ar_turnover"]["unit"] == "x_per_year"
    assert by_id["system_response_time"]["unit"] == "seconds"


def test_spot_primary_grains(by_id: dict[str, dict[str, str]]) -> None:
    assert _primary(by_id["employee_satisfaction"]) == ("q", "co")
    assert _primary(by_id["employee_retention_rate"]) == ("y", "co")
    assert _primary(by_id["first_call_resolution_rate"]) == ("d", "emp")
    assert _primary(by_id["milestone_on_time_rate"]) == ("d", "client")
    assert _primary(by_id["quote_rate"]) == ("d", "agent")
    assert by_id["dispute_success_rate"]["entity_grains"] == "co,emp,client"
    assert by_id["avg_credit_score_increase"]["entity_grains"] == "co,client"
    assert "emp" not in by_id["employee_satisfaction"]["entity_grains"].split(",")


def test_spot_no_target_rows(by_id: dict[str, dict[str, str]]) -> None:
    for kid in ("ticket_resolution_time", "leads_generated", "lead_to_sale_conversion_rate"):
        r = by_id[kid]
        assert r["target_operator"] == "none", kid
        assert r["target_value"] == "", kid
        assert (r["red_flag_operator"], r["red_flag_rule"]) == ("none", "none"), kid


# ---------------------------------------------------------------- kpi_params


def test_kpi_params_defaults(params: dict[str, dict[str, str]]) -> None:
    assert set(params) == set(PARAM_DEFAULTS)
    for name, default in PARAM_DEFAULTS.items():
        assert float(params[name]["value"]) == default, name
        assert params[name]["description"].strip(), name


def test_kpi_params_header() -> None:
    with (SEEDS / "kpi_params.csv").open(newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["parameter", "value", "description"]


def test_target_params_exist(rows: list[dict[str, str]], params: dict[str, dict[str, str]]) -> None:
    for r in rows:
        if r["target_param"]:
            assert r["target_param"] in params, r["kpi_id"]
