-- Every alert on record for the monthly judgements (staff_cards, integrity_risk_index):
-- this run's alerts, plus the alerts the ledger registered in earlier runs that no longer
-- fire (a case completed on the last day, a 90-day window that slid past), as the ledger
-- last saw them. Without the register, a card for a past month would vanish the day its
-- alert stopped firing; the register lives in the ledger store and survives any rebuild.
-- Alerts a supervisor dismissed as false positives are left out: no card or risk rests
-- on them. The ledger copies are those restored before this build (ledger/sync.py), so a
-- dismissal made after the last run counts from the next run on.
with

current_alerts as (

    select alert_id, rule_code, severity, dept_code, staff_id, occurred_on
    from {{ ref('alerts') }}

),

registered as (

    select * from {{ source('ledger', 'alert_register') }}

),

dismissed as (

    select alert_id from {{ source('ledger', 'state') }}
    where status = 'dismissed'

),

-- a register row from before the store kept occurred_on falls back to the day the alert
-- was first detected: the nearest date the ledger has
stopped_firing as (

    select
        registered.alert_id,
        registered.rule_code,
        registered.severity,
        registered.dept_code,
        registered.staff_id,
        cast(coalesce(registered.occurred_on, registered.first_detected_on) as date)
            as occurred_on
    from registered
    left join current_alerts on registered.alert_id = current_alerts.alert_id
    where current_alerts.alert_id is null

),

on_record as (

    select * from current_alerts
    union all
    select * from stopped_firing

),

final as (

    select on_record.*
    from on_record
    left join dismissed on on_record.alert_id = dismissed.alert_id
    where dismissed.alert_id is null

)

select * from final
