-- marts.rule_precision: each rule's precision as measured in the ledger, so thresholds
-- are tuned on evidence. An alert closed is a confirmed finding; an alert dismissed is a
-- false positive (its note is the reason). precision = closed / (closed + dismissed),
-- null while nothing is resolved.
-- The reasons are free text typed by office staff, kept because they are the point of
-- this table (why a rule misfires). They come from the ledger store (supervision_ledger
-- carries no notes) with resident ID and mobile numbers masked (redact_personal_text);
-- a name typed into a reason is not caught: docs/contract-questions.md, Privacy.
with

ledger as (

    select * from {{ ref('supervision_ledger') }}

),

state as (

    select * from {{ source('ledger', 'state') }}

),

dismissals as (

    select
        ledger.rule_code,
        {{ redact_personal_text('state.resolution_note') }} as reason
    from ledger
    inner join state on ledger.alert_id = state.alert_id
    where ledger.status = 'dismissed'

),

reasons as (

    select rule_code, reason, count(*) as n
    from dismissals
    group by rule_code, reason

),

reasons_per_rule as (

    select
        rule_code,
        {{ json_object_agg('reason', 'n') }} as dismissal_reasons
    from reasons
    group by rule_code

),

counts as (

    select
        rule_code,
        count(*) as alerts_registered,
        sum(case when status = 'closed' then 1 else 0 end) as closed_confirmed,
        sum(case when status = 'dismissed' then 1 else 0 end) as dismissed_false_positive,
        sum(case when status not in ('closed', 'dismissed') then 1 else 0 end) as still_open
    from ledger
    group by rule_code

),

final as (

    select
        counts.rule_code,
        counts.alerts_registered,
        counts.closed_confirmed,
        counts.dismissed_false_positive,
        counts.still_open,
        case when counts.closed_confirmed + counts.dismissed_false_positive > 0
            then cast(counts.closed_confirmed as {{ type_double() }})
                / (counts.closed_confirmed + counts.dismissed_false_positive)
        end as measured_precision,
        coalesce(reasons_per_rule.dismissal_reasons, '{}') as dismissal_reasons
    from counts
    left join reasons_per_rule on counts.rule_code = reasons_per_rule.rule_code

)

select * from final
