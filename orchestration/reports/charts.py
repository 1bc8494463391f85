"""Vega-Lite charts (altair) for the HTML reports; rendered in the browser by the inlined
vega-embed bundle, so the page needs no network."""

from __future__ import annotations

from functools import cache

import altair as alt
import pandas as pd

STATUS_COLOURS = {
    "green": "#2e7d32",
    "yellow": "#f9a825",
    "red": "#c62828",
    "no_data": "#9e9e9e",
    "no_target": "#1e88e5",
    "provisional": "#8e24aa",
}
PERSPECTIVES = ["financial", "client", "internal_process", "learning_growth"]
_STATUS_SCALE = alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values()))


def status_mix(summary_history: list[dict]) -> dict:
    """Stacked bars: KPIs per status per month, one panel per perspective."""
    frame = pd.DataFrame(summary_history)
    long = frame.melt(
        id_vars=["perspective", "period_start"],
        value_vars=["green", "yellow", "red", "no_data"],
        var_name="status",
        value_name="kpis",
    )
    long["month"] = pd.to_datetime(long["period_start"]).dt.strftime("%Y-%m")
    long = long.drop(columns="period_start")
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=None),
            y=alt.Y("kpis:Q", title="KPIs"),
            color=alt.Color("status:N", scale=_STATUS_SCALE, legend=alt.Legend(orient="bottom")),
            order=alt.Order("status_order:Q"),
            tooltip=["perspective", "month", "status", "kpis"],
        )
        .transform_calculate(
            status_order="indexof(['red', 'yellow', 'green', 'no_data'], datum.status)"
        )
        .properties(width=260, height=140)
        .facet(facet=alt.Facet("perspective:N", title=None, sort=PERSPECTIVES), columns=4)
    )
    return chart.to_dict()


def kpi_trends(history: list[dict], columns: int = 4) -> dict:
    """Small multiples: each KPI's monthly value, its target (dashed) and status colour."""
    frame = pd.DataFrame(history)
    frame["month"] = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d")
    frame = frame.drop(columns="period_start")
    frame["label"] = frame["kpi_name"].fillna(frame["kpi_id"])
    base = alt.Chart().encode(x=alt.X("month:T", title=None, axis=alt.Axis(format="%b")))
    line = base.mark_line(color="#607d8b").encode(y=alt.Y("value:Q", title=None))
    points = base.mark_circle(size=45).encode(
        y="value:Q",
        color=alt.Color("status:N", scale=_STATUS_SCALE, legend=None),
        tooltip=[
            alt.Tooltip("kpi_id:N"),
            alt.Tooltip("month:T", format="%Y-%m"),
            alt.Tooltip("value:Q", format=",.2f"),
            alt.Tooltip("target_value:Q", format=",.2f"),
            "status:N",
        ],
    )
    target = base.mark_line(strokeDash=[4, 3], color="#424242").encode(y="target_value:Q")
    chart = (
        alt.layer(line, target, points, data=frame)
        .properties(width=190, height=110)
        .facet(facet=alt.Facet("label:N", title=None), columns=columns)
        .resolve_scale(y="independent")
    )
    return chart.to_dict()


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one inline script (about 0.9 MB), built offline."""
    import vl_convert

    # vl-convert names Vega-Lite versions 'v6_4' for altair's schema 'v6.4.1'.
    vl_version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
    return vl_convert.javascript_bundle(vl_version=vl_version)
