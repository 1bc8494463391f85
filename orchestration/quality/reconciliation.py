"""Cross-system reconciliations (catalogue §7.2): what no single extract can check on its own.

- stripe_vs_quickbooks_income: per month, QuickBooks income (−Σ GL lines of account_type
  income) against Stripe's net charges (Σ succeeded charges − Σ succeeded refunds, by business
  day), relative difference within the seed's tolerance. A month is judged once its ledger has
  been delivered (the month-end partition of the GL extract is loaded); a ledger that never
  arrived is a timeliness failure of the GL extract instead.
- crm_clients_vs_stripe_customers: per load day of Stripe subscriptions, the share of live
  (livemode, not incomplete) subscription versions whose customer is no CRM client's
  stripe_customer_id; none may be unmatched.

A failed reconciliation blocks downstream marts (ERROR): the money or the client base the KPIs
stand on disagrees between systems. Each is judged on its own small frame
(`quality.daily__reconciliation__<name>`), like the extract frames, and recorded against every
extract it reads so the DQ cap reaches the KPIs on either side.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.contract import get_extract
from orchestration.quality.frames import LoadDays
from orchestration.quality.sql import literal
from orchestration.quality.thresholds import Threshold, threshold


@dataclass(frozen=True)
class Reconciliation:
    name: str
    description: str
    attach_to: str  # the extract whose Dagster asset carries the check
    reads: tuple[str, ...]  # every extract it judges (results are recorded against each)
    threshold: Threshold

    @property
    def suite(self) -> str:
        return f"reconciliation.{self.name}"

    @property
    def frame(self) -> str:
        return f"reconciliation__{self.name}"


def _latest(table: str) -> str:
    """The latest delivered version of every record of a raw table."""
    return (
        f"select * from {table} "
        "qualify row_number() over (partition by id order by _partition desc, _line desc) = 1"
    )


def _local_month(epoch_column: str, tz: str) -> str:
    return (
        f"cast(date_trunc('month', timezone({literal(tz)}, "
        f"timezone('UTC', make_timestamp(cast({epoch_column} as bigint) * 1000000)))) as date)"
    )


def income_frame_sql(rec: Reconciliation, scope: LoadDays, tz: str) -> str:
    charges = get_extract("stripe.charges").raw_table
    refunds = get_extract("stripe.refunds").raw_table
    ledger = get_extract("quickbooks.gl_entries")
    return f"""
        with charges as (
            select {_local_month("created", tz)} as month, sum(amount) / 100.0 as usd
            from ({_latest(charges)}) where status = 'succeeded' group by 1
        ),
        refunds as (
            select {_local_month("created", tz)} as month, sum(amount) / 100.0 as usd
            from ({_latest(refunds)}) where status = 'succeeded' group by 1
        ),
        ledger_days as (
            select cast(partition_key as date) as load_day
            from raw.load_log where raw_table = {literal(ledger.raw_table)}
            qualify row_number() over (partition by partition_key order by loaded_at desc) = 1
                and status = 'loaded'
        ),
        income as (
            select
                cast(date_trunc('month', "date") as date) as month,
                -sum(amount) filter (where account_type = 'income') as usd
            from {ledger.raw_table}
            where _partition in (select load_day from ledger_days)
            group by 1
        ),
        months as (
            select
                d.load_day,
                cast(date_trunc('month', d.load_day) as date) as period_start,
                cast(date_trunc('month', d.load_day) + interval 1 month as date) as period_end
            from ledger_days as d
            where {scope.where("d.load_day")}
        )
        select
            m.load_day,
            m.period_start,
            m.period_end,
            coalesce(c.usd, 0) - coalesce(r.usd, 0) as stripe_net_usd,
            coalesce(i.usd, 0) as quickbooks_income_usd,
            abs(coalesce(i.usd, 0) - (coalesce(c.usd, 0) - coalesce(r.usd, 0)))
                / nullif(abs(coalesce(c.usd, 0) - coalesce(r.usd, 0)), 0) as observed,
            cast(null as bigint) as checked_count,
            cast(null as bigint) as failed_count
        from months as m
        left join charges as c on c.month = m.period_start
        left join refunds as r on r.month = m.period_start
        left join income as i on i.month = m.period_start
        order by m.load_day
    """


def customers_frame_sql(rec: Reconciliation, scope: LoadDays, tz: str) -> str:
    subscriptions = get_extract("stripe.subscriptions").raw_table
    contacts = get_extract("crm.contacts").raw_table
    return f"""
        with clients as (
            select distinct stripe_customer_id from {contacts}
            where status = 'client' and stripe_customer_id is not null
        ),
        live as (
            select s._partition as load_day, s.customer in (select * from clients) as matched
            from {subscriptions} as s
            where coalesce(s.livemode, true)
              and coalesce(s.status, '') not in ('incomplete', 'incomplete_expired')
              and {scope.where("s._partition")}
        )
        select
            load_day,
            load_day as period_start,
            cast(load_day + interval 1 day as date) as period_end,
            count(*) filter (where not matched) * 1.0 / count(*) as observed,
            count(*) as checked_count,
            count(*) filter (where not matched) as failed_count
        from live
        group by load_day
        order by load_day
    """


RECONCILIATIONS = {
    "stripe_vs_quickbooks_income": (
        "QuickBooks income per month equals Stripe's net charges (charges − refunds) within "
        "the tolerance.",
        "quickbooks__gl_entries",
        ("quickbooks__gl_entries", "stripe__charges", "stripe__refunds"),
        income_frame_sql,
    ),
    "crm_clients_vs_stripe_customers": (
        "Every live Stripe subscription belongs to a CRM client (its customer is a client's "
        "stripe_customer_id).",
        "stripe__subscriptions",
        ("stripe__subscriptions", "crm__contacts"),
        customers_frame_sql,
    ),
}


def reconciliations() -> list[Reconciliation]:
    return [
        Reconciliation(name, description, attach_to, reads, threshold("reconciliation", name))
        for name, (description, attach_to, reads, _) in RECONCILIATIONS.items()
    ]


def reconciliation_frame_sql(rec: Reconciliation, scope: LoadDays, tz: str) -> str:
    """The reconciliation's rows in the shape of an extract's daily frame (frames.py)."""
    op, value = rec.threshold.operator, rec.threshold.value
    bound = f"cast({value!r} as double)"
    return f"""
        select
            load_day, period_start, period_end,
            'reconciliation' as standard, {literal(rec.name)} as rule,
            cast(null as varchar) as column_name,
            cast(observed as double) as observed, {literal(op)} as operator,
            {bound} as threshold,
            {bound if op == ">=" else "cast(null as double)"} as minimum,
            {bound if op == "<=" else "cast(null as double)"} as maximum,
            cast(checked_count as bigint) as checked_count,
            cast(failed_count as bigint) as failed_count,
            true as blocking, {literal(rec.description)} as description
        from ({RECONCILIATIONS[rec.name][3](rec, scope, tz)})
        where observed is not null
    """
