-- 红黄牌 (rules.md, derived judgements): per staff member and month, a red card when any
-- red alert is attributed to them or card_red_min_yellow (3) or more yellow ones, else a
-- yellow card when any yellow alert is. info alerts, and alerts dismissed in the
-- supervision ledger (false positives), never give a card. An alert belongs
-- to the month its violation happened (occurred_on): a card judges the staff member's
-- conduct in that month, not the run that found it (first_detected_on would put a whole
-- first load of history into one month).
with

alerts as (

    select * from {{ ref('alerts') }}
    where staff_id is not null
      and severity in ('yellow', 'red')

),

dismissed as (

    -- alerts a supervisor dismissed as false positives give no card. The ledger state is
    -- the copy restored before this build, so a dismissal counts from the next run on.
    -- An alert that stopped firing is not in marts.alerts and gives no card either: the
    -- ledger store does not keep occurred_on, so its month cannot be rebuilt from there.
    select alert_id from {{ source('ledger', 'state') }}
    where status = 'dismissed'

),

carded as (

    select alerts.*
    from alerts
    left join dismissed on alerts.alert_id = dismissed.alert_id
    where dismissed.alert_id is null

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
    from carded
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
