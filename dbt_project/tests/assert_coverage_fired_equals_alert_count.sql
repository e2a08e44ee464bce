-- marts.rule_coverage.fired must equal the number of alerts of each rule in marts.alerts:
-- an alert outside its rule's scope (or a rule missing from coverage) is a bug.
with

coverage as (

    select rule_code, fired from {{ ref('rule_coverage') }}

),

alert_counts as (

    select rule_code, count(*) as alert_count
    from {{ ref('alerts') }}
    group by rule_code

),

compared as (

    select
        coalesce(coverage.rule_code, alert_counts.rule_code) as rule_code,
        coalesce(coverage.fired, -1) as fired,
        coalesce(alert_counts.alert_count, 0) as alert_count
    from coverage
    full outer join alert_counts on coverage.rule_code = alert_counts.rule_code

)

select * from compared
where fired <> alert_count
