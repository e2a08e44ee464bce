{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        unique_key='alert_id',
        full_refresh=false,
    )
}}
-- The as_of of the first run that raised each alert_id (outputs.md, first_detected_on).
-- Append-only and never rebuilt (full_refresh: false), so first detections survive
-- reruns and --full-refresh: state that people rely on is not rebuilt by dbt. The ledger
-- store remembers first detections too (source ledger.first_detections, copied in before
-- every build), so a deleted and rebuilt warehouse keeps them as well.
with

alerts as (

    {{ union_all(warning_rule_relations('warn_'),
                 ['alert_id', 'rule_code', 'subject_id', 'as_of']) }}

),

remembered as (

    select
        alert_id,
        cast(first_detected_on as date) as first_detected_on
    from {{ source('ledger', 'first_detections') }}

),

{% if is_incremental() %}
already_detected as (

    select alert_id from {{ this }}

),
{% endif %}

new_detections as (

    select
        alerts.alert_id,
        alerts.rule_code,
        alerts.subject_id,
        case
            when remembered.first_detected_on < alerts.as_of then remembered.first_detected_on
            else alerts.as_of
        end as first_detected_on,
        {{ dbt.current_timestamp() }} as recorded_at
    from alerts
    left join remembered on alerts.alert_id = remembered.alert_id
    {% if is_incremental() %}
    left join already_detected on alerts.alert_id = already_detected.alert_id
    where already_detected.alert_id is null
    {% endif %}

)

select * from new_detections
