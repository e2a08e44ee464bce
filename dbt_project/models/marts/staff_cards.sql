-- 红黄牌 (rules.md, derived judgements): per staff member and month, a red card when any
-- red alert is attributed to them or card_red_min_yellow (3) or more yellow ones, else a
-- yellow card when any yellow alert is. info alerts, and alerts dismissed in the
-- supervision ledger (false positives), never give a card; an alert that stopped firing
-- keeps its card (int_alerts_on_record reads the ledger's register). An alert belongs
-- to the month its violation happened (occurred_on): a card judges the staff member's
-- conduct in that month, not the run that found it (first_detected_on would put a whole
-- first load of history into one month).
with

alerts as (

    select * from {{ ref('int_alerts_on_record') }}
    where staff_id is not null
      and severity in ('yellow', 'red')

),

staff as (

    select * from {{ ref('dim_staff') }}

),

per_month as (

    select
        staff_id,
        cast({{ dbt.date_trunc('month', 'occurred_on') }} as date) as month_start,
        sum(case when severity = 'red' then 1 else 0 end) as red_alerts,
        sum(case when severity = 'yellow' then 1 else 0 end) as yellow_alerts,
        {{ json_array_agg('alert_id', 'alert_id') }} as alert_ids,
        {{ json_array_agg('rule_code', 'rule_code') }} as rule_codes
    from alerts
    group by 1, 2

),

final as (

    select
        per_month.staff_id,
        staff.dept_code,
        per_month.month_start,
        case
            when per_month.red_alerts > 0
              or per_month.yellow_alerts >= {{ var('card_red_min_yellow') }} then 'red'
            else 'yellow'
        end as card,
        per_month.red_alerts,
        per_month.yellow_alerts,
        per_month.alert_ids,
        per_month.rule_codes
    from per_month
    left join staff on per_month.staff_id = staff.staff_id

)

select * from final
