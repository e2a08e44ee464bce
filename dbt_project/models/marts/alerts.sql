-- marts.alerts (outputs.md): one row per alert, the union of every warning rule model
-- (var warning_rules; see macro warning_rule_relations), with the date the alert was
-- first detected. occurred_on (the date the violation happened, from each rule) and
-- first_detected_on (when the office learned of it) differ on a first load of history:
-- monthly judgements (cards, risk index, dept_alerts_monthly) count by occurred_on.
with

rule_alerts as (

    {{ union_all(warning_rule_relations('warn_'), [
        'alert_id', 'rule_code', 'rule_family', 'severity', 'subject_type', 'subject_id',
        'dept_code', 'staff_id', 'as_of', 'metric_value', 'threshold_value', 'evidence',
        'occurred_on', 'explanation_zh', 'explanation_en',
    ]) }}

),

first_detections as (

    select * from {{ ref('alert_first_detections') }}

),

final as (

    select
        rule_alerts.alert_id,
        rule_alerts.rule_code,
        rule_alerts.rule_family,
        rule_alerts.severity,
        rule_alerts.subject_type,
        rule_alerts.subject_id,
        rule_alerts.dept_code,
        rule_alerts.staff_id,
        rule_alerts.as_of,
        rule_alerts.metric_value,
        rule_alerts.threshold_value,
        rule_alerts.evidence,
        rule_alerts.occurred_on,
        coalesce(first_detections.first_detected_on, rule_alerts.as_of) as first_detected_on,
        rule_alerts.explanation_zh,
        rule_alerts.explanation_en
    from rule_alerts
    left join first_detections on rule_alerts.alert_id = first_detections.alert_id

)

select * from final
