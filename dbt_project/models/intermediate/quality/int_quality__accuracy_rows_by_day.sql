-- Row-level accuracy per domain, extract and load day as the GX accuracy suites judged it (catalogue
-- §7.2): rows checked and rows passing every row rule of their extract (the all_row_rules
-- expectation), in the shape of int_quality__accuracy_by_day, so data_accuracy_rate can read the
-- quality layer's own verdicts instead of restating the rules. The domain is the contract's.
{% set domains = source_accuracy_domains() %}
with domains as (
    {% if domains %}
    select * from (values
        {%- for table, domain in domains %}
        ('{{ table }}', '{{ domain }}'){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as d(raw_table, domain)
    {% else %}
    select cast(null as varchar) as raw_table, cast(null as varchar) as domain where false
    {% endif %}
),

verdicts as (
    select raw_table, source, load_date, checked_count, failed_count
    from {{ ref('int_quality__current_verdicts') }}
    where standard = 'accuracy' and expectation = 'all_row_rules' and load_date is not null
)

select
    v.load_date as check_date,
    d.domain,
    v.source as entity,
    v.checked_count as rows_checked,
    v.checked_count - v.failed_count as rows_passed,
    v.failed_count as rows_failed
from verdicts as v
inner join domains as d on d.raw_table = v.raw_table
