"""Alert delivery as an asset downstream of the analytics snapshot.

The daily refresh delivers the alerts of the snapshot it just published, in the same run (so
they appear in its run log); alert_delivery_sensor delivers alerts of snapshots published by
other runs and retries queued webhook posts. Both call the same idempotent sink.
"""

import dagster as dg

from orchestration.alerts import AlertSink, AlertsTableMissing, read_alerts
from orchestration.settings import get_settings


def build_alert_delivery_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["alerts", "delivery"]),
        deps=[dg.AssetKey(["analytics", "snapshot"])],
        group_name="alerts",
        kinds={"python"},
        description=(
            "Sends each new row of marts.mart_alerts (from the analytics snapshot) once to the "
            "run log, data/alerts/alerts.jsonl and, when SCORECARD_ALERT_WEBHOOK_URL is set, "
            "a Slack-compatible webhook."
        ),
    )
    def alert_delivery(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = get_settings()
        try:
            alerts = read_alerts(settings.analytics_path)
        except AlertsTableMissing as missing:
            context.log.warning(f"no alerts delivered: {missing}")
            return dg.MaterializeResult(metadata={"alerts": 0, "skipped": str(missing)})
        sink = AlertSink(settings.alerts_dir, settings.alert_webhook_url, context.log)
        result = sink.deliver(alerts)
        return dg.MaterializeResult(
            metadata={
                "alerts": len(alerts),
                "new": result.new,
                "posted": result.posted,
                "queued_for_webhook": result.pending,
                "webhook_error": result.error or "none",
            }
        )

    return alert_delivery
