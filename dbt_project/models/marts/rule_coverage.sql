-- marts.rule_coverage (outputs.md): one row per rule and run. evaluated = subjects in the
-- rule's scope that could be judged; fired = those with an alert; not_evaluable and the
-- reasons (JSON reason -> count) for the rest. Zero evaluated is visible as a data
-- problem, not a clean bill of health.
with

scope as (

    {{ union_all(warning_rule_relations('cov_'),
                 ['rule_code', 'subject_id', 'not_evaluable_reason']) }}

),

alerts as (

    {{ union_all(warning_rule_relations('warn_'), ['rule_code', 'subject_id']) }}

),

rules as (

    {% for rule in var('warning_rules') %}
    select cast('{{ rule.split("_")[0] | upper }}' as {{ dbt.type_string() }}) as rule_code
    {%- if not loop.last %} union all{% endif %}
    {% endfor %}

),

judged as (

    select
        scope.rule_code,
        scope.subject_id,
        scope.not_evaluable_reason,
        alerts.subject_id is not null as has_fired
    from scope
    left join alerts
        on scope.rule_code = alerts.rule_code
        and scope.subject_id = alerts.subject_id

),

counts as (

    select
        rule_code,
        sum(case when not_evaluable_reason is null then 1 else 0 end) as evaluated,
        sum(case when has_fired then 1 else 0 end) as fired,
        sum(case when not_evaluable_reason is not null then 1 else 0 end) as not_evaluable
    from judged
    group by rule_code

),

reason_counts as (

    select rule_code, not_evaluable_reason, count(*) as subject_count
    from judged
    where not_evaluable_reason is not null
    group by rule_code, not_evaluable_reason

),

reasons as (

    select
        rule_code,
        {{ json_object_agg('not_evaluable_reason', 'subject_count') }} as not_evaluable_reasons
    from reason_counts
    group by rule_code

),

final as (

    select
        rules.rule_code,
        {{ as_of() }} as as_of,
        cast(coalesce(counts.evaluated, 0) as bigint) as evaluated,
        cast(coalesce(counts.fired, 0) as bigint) as fired,
        cast(coalesce(counts.not_evaluable, 0) as bigint) as not_evaluable,
        coalesce(reasons.not_evaluable_reasons, '{}') as not_evaluable_reasons
    from rules
    left join counts on rules.rule_code = counts.rule_code
    left join reasons on rules.rule_code = reasons.rule_code

)

select * from final
