"""QuickBooks exports: each month's general ledger and the month-end balance sheet, as CSV files
delivered on the last day of the month (`cadence: month_end`).

The GL export is QuickBooks' General Ledger report filtered to profit-and-loss accounts, one row
per posting line, `amount` signed as the report shows it: **debit positive, credit negative**.
Income is a credit (negative); a refund against income, an expense, or a tax is a debit
(positive); a vendor credit is a negative expense. Staging flips income so that every account
type's natural balance is positive (catalogue §1.3).

Income is the money Stripe actually moved: one deposit per business-time day and plan interval
(Σ succeeded charges that day) and one refund line per day (Σ refunds), so the month's income is
exactly Stripe's Σ charges − refunds by local date. Costs are set from that revenue so margins
are the same at every scale: payroll per department follows the world's headcount (hires,
leavers and vacancies), at a pay level calibrated once for the window; the gross margin follows
a planted plan (a within-target decline over the last five months); balancing lines
(credit-bureau data fees in cogs; contract labor, utilities and general & administrative in
opex, after paid media is trimmed in a tight month) absorb the month's rest.
"""

from __future__ import annotations

import calendar
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from orchestration.contract import Extract
from orchestration.extracts.context import GenerationContext, Writer, write_daily
from orchestration.extracts.stripe import Billing, billing
from orchestration.extracts.world import World

# Chart of accounts (profit and loss): id -> (name, account_type).
ACCOUNTS = {
    "4000": ("Subscription revenue - monthly plans", "income"),
    "4010": ("Subscription revenue - annual plans", "income"),
    "4900": ("Refunds and chargebacks", "income"),
    "5000": ("Direct labor - dispute team", "cogs"),
    "5010": ("Direct labor - case management", "cogs"),
    "5100": ("Credit bureau data and monitoring fees", "cogs"),
    "5200": ("Dispute postage and bureau fees", "cogs"),
    "5300": ("Dispute processing software", "cogs"),
    "5400": ("Payment processing fees", "cogs"),
    "5500": ("Hosting and infrastructure", "cogs"),
    "6000": ("Salaries and wages", "operating_expense"),
    "6050": ("Contract labor - outsourced support", "operating_expense"),
    "6100": ("Sales commissions", "operating_expense"),
    "6110": ("Sales tools - dialer and CRM", "operating_expense"),
    "6200": ("Advertising and paid media", "operating_expense"),
    "6210": ("Marketing agency and software", "operating_expense"),
    "6300": ("Rent and occupancy", "operating_expense"),
    "6400": ("Software subscriptions", "operating_expense"),
    "6500": ("Legal and compliance fees", "operating_expense"),
    "6600": ("Insurance", "operating_expense"),
    "6700": ("Recruiting and training", "operating_expense"),
    "6800": ("Office and general administrative", "operating_expense"),
    "7000": ("Depreciation expense", "depreciation"),
    "7010": ("Amortization of capitalized software", "depreciation"),
    "8000": ("Interest expense", "interest"),
    "9000": ("Income tax expense", "tax"),
}
# Seeds for the KPI layer (catalogue §2.1 cac, cost_per_dispute).
SALES_COST_ACCOUNTS = ("6100", "6110")
DISPUTE_COST_ACCOUNTS = ("5000", "5200", "5300")
# Direct-labor departments post payroll to cogs; every other department to 6000.
PAYROLL_ACCOUNT = {"disputes": "5000", "operations": "5010"}
# Relative monthly loaded pay per role; scaled once so payroll is PAYROLL_SHARE of revenue.
ROLE_PAY = {
    "sales_agent": 3800,
    "sales_manager": 8000,
    "client_rep": 3600,
    "dispute_specialist": 3900,
    "csm": 5200,
    "case_manager": 4200,
    "marketing_specialist": 5500,
    "accountant": 5800,
    "hr_generalist": 5200,
    "engineer": 9500,
    "compliance_officer": 7000,
}
DEFAULT_PAY = 4500
PAYROLL_SHARE = 0.28
# Shares of revenue (R = the month's, Rbar = the window's monthly mean).
STRIPE_FEE_RATE, STRIPE_FEE_FIXED = 0.029, 30  # per succeeded charge, cents
POSTAGE_PER_CLIENT = 310  # cents per live subscription and month (certified dispute letters)
DISPUTE_SOFTWARE = 0.006  # x Rbar
HOSTING = 0.013  # x (Rbar + R) / 2
SALES_TOOLS = 0.005  # x Rbar
COMMISSION_PER_CLIENT = 5500  # cents per new client
ADVERTISING = 0.063  # x R, with a seasonal swing; trimmed when a month is tight
ADMIN_FLOOR = 0.015  # x R, the least the balancing opex lines (contract labor, G&A) carry
AGENCY = 0.011  # x Rbar
RENT = 0.030  # x Rbar
SOFTWARE = 0.015  # x Rbar
LEGAL = 0.015  # x Rbar, varies month to month
INSURANCE = 0.008  # x Rbar
TRAINING = 0.0025  # x Rbar, plus recruiting per hire
DEPRECIATION, AMORTIZATION = 0.015, 0.005  # x Rbar
INTEREST = 0.005  # x Rbar, falling as the loan amortises
TAX_RATE = 0.20  # of pre-tax income
# Planted plan (DESIGN.md §3 "one KPI declining inside its target"): gross profit margin about
# 80.2% (target > 75), then 81 -> 77 over the last five closed months, one point a month
# (each step is worse than the 1% x 75 = 0.75 point materiality of catalogue §8).
BASE_GROSS_MARGIN, BASE_WOBBLE = 80.2, 0.3
DECLINE = (81.0, 80.0, 79.0, 78.0, 77.0)
# Net margin held at ~20.6% (target > 20) while gross margin declines: opex absorbs it.
NET_MARGIN, NET_WOBBLE = 20.6, 0.05
# Month-end balance sheet.
WORKING_CAPITAL_RATIO = 2.2
AP_SHARE = 0.45  # of the month's non-payroll costs still unpaid at month end (net-15 bills)
ACCRUED_PAYROLL = 0.25  # of the month's payroll (taxes and benefits payable)
CURRENT_DEBT = 0.35  # x Rbar, current portion of the term loan
OTHER_CURRENT = (0.05, 0.03)  # prepaid and payouts in transit: x R + x Rbar
# With --defects: the month whose income is posted 2% above Stripe's.
MISMATCH_SHARE = 0.02


@dataclass(frozen=True)
class Month:
    index: int
    first: date
    last: date  # the month-end partition the files are delivered under

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class Ledger:
    months: list[Month]
    lines: dict[date, list[dict]] = field(default_factory=dict)  # month end -> GL rows
    snapshots: dict[date, dict] = field(default_factory=dict)  # month end -> balance row
    revenue: dict[date, int] = field(default_factory=dict)  # cents, Stripe net = GL income
    gross_margin: dict[date, float] = field(default_factory=dict)  # planted, %
    decline: list[Month] = field(default_factory=list)


def closed_months(world: World) -> list[Month]:
    """Months whose last day is inside the window: each gets one GL and one balance file."""
    months: list[Month] = []
    for day in world.days():
        if (day + timedelta(days=1)).day == 1:
            first = max(day.replace(day=1), world.start)
            months.append(Month(len(months), first, day))
    return months


def _weekday_on_or_before(day: date, floor: date) -> date:
    while day.weekday() >= 5 and day > floor:
        day -= timedelta(days=1)
    return day


def _split(total: int, weights: tuple[float, ...]) -> list[int]:
    parts = [round(total * w / sum(weights)) for w in weights[:-1]]
    return [*parts, total - sum(parts)]


def _local_day(world: World, moment: datetime) -> date:
    return moment.replace(tzinfo=UTC).astimezone(world.tz).date()


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _days(month: Month) -> list[date]:
    return [month.first + timedelta(days=i) for i in range(month.days)]


def _stripe_money(world: World, bill: Billing) -> tuple[dict, dict, dict]:
    """Per local day: succeeded charges [cents, count] by income account, and refunds
    [cents, count]; per month end: Stripe's processing fees."""
    interval = {inv.id: inv.interval for inv in bill.invoices}
    deposits: dict[date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    refunds: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    fees: dict[date, int] = defaultdict(int)
    for charge in bill.charges:
        if not (charge.succeeded and charge.livemode):
            continue
        day = _local_day(world, charge.created)
        account = "4010" if interval.get(charge.invoice) == "year" else "4000"
        deposits[day][account][0] += charge.amount
        deposits[day][account][1] += 1
        fees[_month_end(day)] += round(charge.amount * STRIPE_FEE_RATE) + STRIPE_FEE_FIXED
    for refund in bill.refunds:
        day = _local_day(world, refund.created)
        refunds[day][0] += refund.amount
        refunds[day][1] += 1
    return {day: dict(by_account) for day, by_account in deposits.items()}, dict(refunds), fees


def _payroll(world: World, months: list[Month]) -> dict[tuple[date, str, int], list]:
    """Nominal pay per (month end, department, half month): [cents, staff paid]."""
    pay: dict[tuple[date, str, int], list] = defaultdict(lambda: [0.0, 0])
    for month in months:
        fifteenth = min(month.last, month.last.replace(day=15))
        halves = ((month.first, fifteenth), (fifteenth + timedelta(days=1), month.last))
        for employee in world.employees:
            # Paid per calendar day employed (monthly pay x 12 / 365), so February costs less.
            rate = ROLE_PAY.get(employee.role, DEFAULT_PAY) * 100 * 12 / 365
            for half, (begin, end) in enumerate(halves):
                hired = max(begin, employee.hire_date)
                left = min(end, employee.termination_date or end)
                if hired <= left:
                    slot = pay[(month.last, employee.department, half)]
                    slot[0] += rate * ((left - hired).days + 1)
                    slot[1] += 1
    return pay


def _live_subscriptions(world: World, at: datetime) -> int:
    return sum(
        1 for s in world.subscriptions if s.start <= at and (s.ended_at is None or s.ended_at > at)
    )


class _Journal:
    """One month's GL lines, with running natural-balance totals per account type."""

    def __init__(self, month: Month) -> None:
        self.month = month
        self.lines: list[dict] = []
        self.totals: dict[str, int] = defaultdict(int)

    def post(
        self, day: date, kind: str, account: str, department: str, cents: int, memo: str
    ) -> None:
        name, account_type = ACCOUNTS[account]
        self.totals[account_type] += cents
        self.lines.append(
            {
                "date": min(max(day, self.month.first), self.month.last),
                "transaction_type": kind,
                "account_id": account,
                "account_name": name,
                "account_type": account_type,
                "department": department,
                # The export's sign: debit positive, credit (income) negative.
                "cents": -cents if account_type == "income" else cents,
                "memo": memo,
            }
        )

    def rows(self) -> list[dict]:
        self.lines.sort(key=lambda line: (line["date"], line["account_id"], line["department"]))
        stamp = self.month.last.strftime("%Y%m")
        return [
            {
                **{k: v for k, v in line.items() if k != "cents"},
                "entry_id": f"GL{stamp}-{n:05d}",
                "amount": _dollars(line["cents"]),
            }
            for n, line in enumerate(self.lines, start=1)
        ]


@dataclass
class _Inputs:
    """What every month's books are built from."""

    rbar: float
    unit_rbar: float  # rbar at scale-1 prices (World.money_scale), for per-unit costs
    unit_scale: float  # 1 / World.money_scale: brings per-unit cost lines to scale-1 prices
    pay_level: float
    deposits: dict
    refunds: dict
    fees: dict
    nominal: dict
    new_clients: dict


def build_ledger(world: World) -> Ledger:
    """Every GL line and month-end balance of the window (clean; defects are applied on write)."""
    months = closed_months(world)
    book = Ledger(months=months)
    if not months:
        return book
    rng = world.rng("quickbooks.gl_entries")
    balance_rng = world.rng("quickbooks.balance_snapshots")
    bill = billing(world)
    deposits, refunds, fees = _stripe_money(world, bill)
    for month in months:
        book.revenue[month.last] = sum(
            sum(cents for cents, _ in deposits.get(day, {}).values()) - refunds.get(day, [0, 0])[0]
            for day in _days(month)
        )
    total_revenue = sum(book.revenue.values())
    nominal = _payroll(world, months)
    total_nominal = sum(cents for cents, _ in nominal.values())
    new_clients: dict[date, int] = defaultdict(int)
    for client in world.clients:
        new_clients[_month_end(_local_day(world, client.became_client_at))] += 1
    # Below scale 1 prices carry the world's money_scale (a smaller company with the same money
    # levels). Costs keep their shares of revenue, so margins, working capital and cash flow
    # behave as at scale 1, except the accounts of the per-unit KPIs: the dispute-cost accounts
    # (cost_per_dispute, per dispute) and the sales-cost accounts (cac, per new client) stay at
    # their scale-1 unit level, and the balancing lines take the rest.
    inputs = _Inputs(
        rbar=total_revenue / len(months),
        unit_rbar=total_revenue / world.money_scale / len(months),
        unit_scale=1 / world.money_scale,
        pay_level=PAYROLL_SHARE * total_revenue / total_nominal if total_nominal else 0.0,
        deposits=deposits,
        refunds=refunds,
        fees=fees,
        nominal=nominal,
        new_clients=new_clients,
    )

    for month in months:
        book.gross_margin[month.last] = BASE_GROSS_MARGIN + rng.uniform(-BASE_WOBBLE, BASE_WOBBLE)
    # The decline needs a month before it and at least 4 months of its own (3 worse steps).
    book.decline = months[1:][-len(DECLINE) :] if len(months) >= 5 else []
    for month, margin in zip(
        book.decline, DECLINE[len(DECLINE) - len(book.decline) :], strict=True
    ):
        book.gross_margin[month.last] = margin

    for month in months:
        journal = _Journal(month)
        revenue = book.revenue[month.last]
        _post_income(journal, inputs)
        payroll = _post_payroll(journal, inputs)
        cogs = round(revenue * (100 - book.gross_margin[month.last]) / 100)
        _post_cogs(journal, world, inputs, cogs, revenue)
        net_margin = NET_MARGIN + rng.uniform(-NET_WOBBLE, NET_WOBBLE)
        pretax = round(revenue * net_margin / (1 - TAX_RATE) / 100)
        below = {
            "7000": round(DEPRECIATION * inputs.rbar),
            "7010": round(AMORTIZATION * inputs.rbar),
            "8000": round(INTEREST * inputs.rbar * (1 - 0.01 * month.index)),
        }
        opex = revenue - cogs - sum(below.values()) - pretax
        _post_opex(journal, world, inputs, opex, revenue, rng)
        tax = round(pretax * TAX_RATE)
        for account, cents in (*below.items(), ("9000", tax)):
            journal.post(month.last, "Journal Entry", account, "finance", cents, MEMOS[account])
        book.lines[month.last] = journal.rows()

        # Month-end balance sheet.
        end_of_month = world.to_utc(month.last, datetime.max.time())
        receivable = sum(
            inv.amount for inv in bill.invoices if inv.livemode and inv.is_open(end_of_month)
        )
        payable = round(AP_SHARE * (cogs + opex - payroll) * balance_rng.uniform(0.95, 1.05))
        liabilities = (
            payable
            + round(ACCRUED_PAYROLL * payroll)
            + tax  # the month's income tax, paid with the next month's estimate
            + round(CURRENT_DEBT * inputs.rbar)
        )
        other = round(OTHER_CURRENT[0] * revenue + OTHER_CURRENT[1] * inputs.rbar)
        target = WORKING_CAPITAL_RATIO * balance_rng.uniform(0.97, 1.03) * liabilities
        cash = max(round(target) - receivable - other, round(0.15 * revenue))
        book.snapshots[month.last] = {
            "snapshot_date": month.last,
            "cash": _dollars(cash),
            "accounts_receivable": _dollars(receivable),
            "current_assets": _dollars(cash + receivable + other),
            "current_liabilities": _dollars(liabilities),
            "accounts_payable": _dollars(payable),
        }
    return book


MEMOS = {
    "7000": "Monthly depreciation - equipment and fit-out",
    "7010": "Amortization - capitalized software",
    "8000": "Term loan interest",
    "9000": "Income tax provision",
}


def _post_income(journal: _Journal, inputs: _Inputs) -> None:
    """Stripe deposits (by plan interval) and refunds, one line each per local day."""
    for day in _days(journal.month):
        for account, (cents, count) in sorted(inputs.deposits.get(day, {}).items()):
            kind = "annual" if account == "4010" else "monthly"
            journal.post(
                day,
                "Deposit",
                account,
                "finance",
                cents,
                f"Stripe payments {day} - {count} {kind}-plan charges",
            )
        if day in inputs.refunds:
            cents, count = inputs.refunds[day]
            journal.post(
                day,
                "Refund",
                "4900",
                "finance",
                -cents,
                f"Stripe refunds {day} - {count} refund(s)",
            )


def _pay_days(month: Month) -> tuple[date, date]:
    """The 15th and the last day, moved back to the Friday when they fall on a weekend."""
    return (
        _weekday_on_or_before(min(month.last, month.last.replace(day=15)), month.first),
        _weekday_on_or_before(month.last, month.first),
    )


def _post_payroll(journal: _Journal, inputs: _Inputs) -> int:
    """Two payroll runs a month per department, from the world's headcount."""
    month, total = journal.month, 0
    runs = _pay_days(month)
    for (end, department, half), (cents, staff) in sorted(inputs.nominal.items()):
        if end != month.last:
            continue
        account = PAYROLL_ACCOUNT.get(department, "6000")
        amount = round(cents * inputs.pay_level)
        if account in DISPUTE_COST_ACCOUNTS:  # cost_per_dispute is per dispute: unit pay
            amount = round(amount * inputs.unit_scale)
        journal.post(
            runs[half],
            "Payroll",
            account,
            department,
            amount,
            f"Payroll {runs[half]} - {department} ({staff} staff)",
        )
        total += amount
    return total


def _post_cogs(journal: _Journal, world: World, inputs: _Inputs, cogs: int, revenue: int) -> None:
    """Cost of revenue adding up to `cogs`; credit-bureau data fees take the balance."""
    month = journal.month
    days = _days(month)
    mid_month = world.to_utc(month.first + timedelta(days=month.days // 2), time(12, 0))
    postage = POSTAGE_PER_CLIENT * _live_subscriptions(world, mid_month)
    fridays = [d for d in days if d.weekday() == 4] or [month.last]
    for day, cents in zip(fridays, _split(postage, (1.0,) * len(fridays)), strict=True):
        journal.post(
            day, "Bill", "5200", "disputes", cents, f"Certified mail - dispute letters {day}"
        )
    journal.post(
        month.first,
        "Bill",
        "5300",
        "disputes",
        round(DISPUTE_SOFTWARE * inputs.unit_rbar),
        "Dispute management software",
    )
    journal.post(
        month.last,
        "Expense",
        "5400",
        "finance",
        inputs.fees.get(month.last, 0),
        "Stripe processing fees",
    )
    journal.post(
        month.first,
        "Bill",
        "5500",
        "technology",
        round(HOSTING * (inputs.rbar + revenue) / 2),
        "Cloud hosting",
    )
    bureau = cogs - journal.totals["cogs"]
    day = _weekday_on_or_before(month.last, month.first)
    for vendor, cents in zip(
        ("Equifax", "Experian", "TransUnion"), _split(bureau, (0.36, 0.34, 0.30)), strict=True
    ):
        journal.post(day, "Bill", "5100", "operations", cents, f"{vendor} data and monitoring")


def _post_opex(
    journal: _Journal, world: World, inputs: _Inputs, opex: int, revenue: int, rng
) -> None:
    """Operating expenses adding up to `opex`; contract labor and G&A take the balance."""
    month, rbar = journal.month, inputs.rbar
    days = _days(month)
    runs = _pay_days(month)
    new_clients = inputs.new_clients.get(month.last, 0)
    journal.post(
        runs[1],
        "Payroll",
        "6100",
        "sales",
        COMMISSION_PER_CLIENT * new_clients,
        f"Sales commissions - {new_clients} new clients",
    )
    journal.post(
        month.first,
        "Bill",
        "6110",
        "sales",
        round(SALES_TOOLS * inputs.unit_rbar),
        "Dialer and CRM licences",
    )
    journal.post(
        month.first + timedelta(days=4),
        "Bill",
        "6210",
        "marketing",
        round(AGENCY * rbar),
        "Marketing agency retainer",
    )
    journal.post(month.first, "Bill", "6300", "finance", round(RENT * rbar), "Office rent")
    software = round(SOFTWARE * rbar)
    for offset, cents, memo in zip(
        (0, 9, 19),
        _split(software, (0.5, 0.3, 0.2)),
        ("Productivity suite", "Support desk software", "Security and backup"),
        strict=True,
    ):
        journal.post(
            month.first + timedelta(days=offset), "Bill", "6400", "technology", cents, memo
        )
    if month.last.month % 3 == 2:
        journal.post(
            month.first + timedelta(days=24),
            "Vendor Credit",
            "6400",
            "technology",
            -round(0.05 * software),
            "Service credit - support desk outage",
        )
    journal.post(
        month.first + timedelta(days=14),
        "Bill",
        "6500",
        "compliance",
        round(LEGAL * rbar * rng.uniform(0.6, 1.4)),
        "Outside counsel - FCRA/CROA compliance",
    )
    journal.post(
        month.first,
        "Bill",
        "6600",
        "finance",
        round(INSURANCE * rbar),
        "Business and E&O insurance",
    )
    for employee in world.employees:
        if month.first <= employee.hire_date <= month.last:
            fee = round(0.6 * inputs.pay_level * ROLE_PAY.get(employee.role, DEFAULT_PAY) * 100)
            journal.post(
                employee.hire_date,
                "Bill",
                "6700",
                "hr",
                fee,
                f"Recruiting fee - {employee.department} hire",
            )
    journal.post(
        month.first + timedelta(days=19),
        "Bill",
        "6700",
        "hr",
        round(TRAINING * rbar),
        "Staff training programmes",
    )
    # Paid media is the flexible line: heavier in the tax-season quarter, lighter in summer and
    # December, trimmed in a month whose budget is tight. Contract labor and G&A take the rest.
    season = {1: 1.12, 2: 1.12, 3: 1.12, 7: 0.88, 8: 0.88, 12: 0.88}.get(month.last.month, 1.0)
    room = opex - journal.totals["operating_expense"] - round(ADMIN_FLOOR * revenue)
    advertising = max(min(round(ADVERTISING * revenue * season), room), round(0.03 * revenue))
    mondays = [d for d in days if d.weekday() == 0] or [month.first]
    for day, cents in zip(mondays, _split(advertising, (1.0,) * len(mondays)), strict=True):
        journal.post(day, "Expense", "6200", "marketing", cents, f"Paid search and social {day}")
    rest = max(opex - journal.totals["operating_expense"], round(ADMIN_FLOOR * revenue))
    for offset, cents, (account, department, memo) in zip(
        (11, 21, month.days - 1),
        _split(rest, (0.45, 0.2, 0.35)),
        (
            ("6050", "customer_support", "Overflow call-centre and contractor hours"),
            ("6800", "finance", "Utilities, telecom and office supplies"),
            ("6800", "finance", "General and administrative"),
        ),
        strict=True,
    ):
        journal.post(month.first + timedelta(days=offset), "Bill", account, department, cents, memo)


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def ledger(world: World) -> Ledger:
    cached = world.__dict__.get("_quickbooks_ledger")
    if cached is None:
        cached = world.__dict__["_quickbooks_ledger"] = build_ledger(world)
    return cached


def _defect_months(book: Ledger) -> tuple[Month | None, Month | None]:
    """(re-delivered month, mismatched month). Neither they nor the month a re-delivery
    displaces fall in the planted decline, whose trend they would break; a window too short
    to hold them outside it gets fewer defects."""
    months = book.months
    spared = {m.last for m in book.decline}
    duplicated = next(
        (
            months[i]
            for i in (1, *range(len(months) - 1))
            if i + 1 < len(months) and not {months[i].last, months[i + 1].last} & spared
        ),
        None,
    )
    if duplicated is not None:
        spared |= {duplicated.last, months[duplicated.index + 1].last}
    candidates = [m for m in months if m.last not in spared]
    mismatched = candidates[len(candidates) // 2] if candidates else None
    return duplicated, mismatched


def write_gl_entries(ctx: GenerationContext, extract: Extract) -> int:
    world = ctx.world
    book = ledger(world)
    rows_by_day = {end: [dict(row) for row in rows] for end, rows in book.lines.items()}
    duplicated, mismatched = _defect_months(book) if ctx.defects else (None, None)
    if mismatched is not None:
        rows = rows_by_day[mismatched.last]
        extra = round(MISMATCH_SHARE * book.revenue[mismatched.last])
        day = mismatched.first + timedelta(days=min(13, mismatched.days - 1))
        rows.append(
            {
                "entry_id": f"GL{mismatched.last:%Y%m}-{len(rows) + 1:05d}",
                "date": day,
                "transaction_type": "Deposit",
                "account_id": "4000",
                "account_name": ACCOUNTS["4000"][0],
                "account_type": "income",
                "department": "finance",
                "amount": _dollars(-extra),
                "memo": "Stripe payout - manual adjustment",
            }
        )
        ctx.plant_defect(
            kind="ledger_payment_mismatch",
            raw_table=extract.raw_table,
            description=(
                f"{mismatched.last:%Y-%m}: a manual deposit of {extra / 100:.2f} USD posted to "
                f"income puts QuickBooks income {MISMATCH_SHARE:.0%} above Stripe's net charges"
            ),
            rows=1,
            column="amount",
            check="reconciliation",
            month=f"{mismatched.last:%Y-%m}",
        )
    written = write_daily(ctx, extract, rows_by_day)
    if duplicated is not None:
        target = book.months[duplicated.index + 1]
        source = ctx.path(extract, duplicated.last)
        shutil.copyfile(source, ctx.path(extract, target.last))
        written += len(rows_by_day[duplicated.last]) - len(rows_by_day[target.last])
        ctx.plant_defect(
            kind="duplicate_delivery",
            raw_table=extract.raw_table,
            description=(
                f"the {duplicated.last:%Y-%m} general-ledger file was delivered again, byte for "
                f"byte, as the {target.last:%Y-%m} file; that month's own ledger never arrived"
            ),
            rows=len(rows_by_day[duplicated.last]),
            check="ingest_quarantine",
            partition=target.last.isoformat(),
            duplicate_of=duplicated.last.isoformat(),
        )
    decline = book.decline
    if len(decline) >= 4:
        ctx.plant_gap(
            kpi_id="gross_profit_margin",
            expected_status=["green"],
            description=(
                "gross profit margin falls one point a month, "
                + " -> ".join(f"{book.gross_margin[m.last]:.0f}" for m in decline)
                + " %, over the last closed months while staying above its 75 % target "
                "(credit-bureau fees rising): trend `declining` within target (alert AK4)"
            ),
            department="finance",
            grain="month",
            period_start=decline[0].first,
            period_end=decline[-1].last,
            kind="declining_within_target",
            values={f"{m.last:%Y-%m}": round(book.gross_margin[m.last], 2) for m in decline},
        )
    if world.scale < 1:
        # Levels hold at every scale (World.money_scale); the month-to-month swing does not.
        ctx.plant_gap(
            kpi_id="operating_cash_flow",
            # no_data: the first month has no month-end balance before it (ΔAR needs one)
            expected_status={"green", "yellow", "red", "no_data"},
            description=(
                "Below scale 1, operating cash flow (NI + D&A - ΔAR - Δother + Δcurrent "
                "liabilities) keeps its scale-1 level (~$240K a month), but month-end "
                "receivables are scale × as many (larger) invoices, so ΔAR swings grow as "
                "1/sqrt(scale) and a month can cross the $75K red flag by sampling alone. At "
                "scale 1 every month of the 2025 demo stays above it."
            ),
            department="finance",
            kind="simulation_limit",
            scale=world.scale,
        )
    return written


def write_balance_snapshots(ctx: GenerationContext, extract: Extract) -> int:
    book = ledger(ctx.world)
    return write_daily(ctx, extract, {end: [row] for end, row in book.snapshots.items()})


WRITERS: dict[str, Writer] = {
    "quickbooks.gl_entries": write_gl_entries,
    "quickbooks.balance_snapshots": write_balance_snapshots,
}
