{#- Helpers shared by the warning rule models (models/warnings). -#}

{#- Stable alert id (outputs.md): rule_code || '-' || first 16 hex of
    md5(rule_code || '|' || subject_id). The same rule and subject give the same id in
    every run. -#}
{% macro alert_id(rule_code_expr, subject_id_expr) -%}
    {{ dbt.concat([rule_code_expr, "'-'", "substr(" ~ dbt.hash(dbt.concat([rule_code_expr, "'|'", subject_id_expr])) ~ ", 1, 16)"]) }}
{%- endmacro %}

{#- The rule's catalog metadata from its YAML (config: meta:), e.g. rule_meta('severity').
    A unit test renders the model's SQL without access to the model's config (its graph
    is empty): there code and family come from the model name (warn_t01_… -> T01, T) and
    the other keys are null, so unit tests check which subjects fire and their metrics. -#}
{% macro rule_meta(key) -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set code = model.tested_node_unique_id.split('.')[-1].split('_')[1] | upper -%}
        {{ return({'code': code, 'family': code[0]}.get(key)) }}
    {%- endif -%}
    {%- set meta = model.config.get('meta', {}) -%}
    {%- if key not in meta -%}
        {{ exceptions.raise_compiler_error("warning rule " ~ model.name ~ " has no meta." ~ key ~ " in its YAML") }}
    {%- endif -%}
    {{ return(meta.get(key)) }}
{%- endmacro %}

{#- A rule_meta value as a SQL text literal (null when absent). -#}
{% macro rule_meta_literal(key) -%}
    {%- set value = rule_meta(key) -%}
    {%- if value is none -%}cast(null as {{ dbt.type_string() }})
    {%- else -%}cast('{{ value }}' as {{ dbt.type_string() }}){%- endif -%}
{%- endmacro %}

{#- The final select of every rule model: the alert shape of outputs.md (without
    first_detected_on, which marts.alerts adds). `rows` is a CTE with columns
    subject_id, dept_code, staff_id, metric_value, threshold_value, evidence, and
    occurred_on: the date the violation happened (macros/occurred_on.sql; one reading per
    rule in docs/contract-questions.md), as_of when the record lacks that date, so it is
    never null.
    explanation_zh, explanation_en: the rule's sentence templates (meta.explanation_zh /
    meta.explanation_en) over the row's evidence (macros/explanations.sql); derived from
    the evidence only, so they change neither alert_id nor the ledger's evidence hash.
    severity_expr: for rules whose severity depends on the row (e.g. S06, K01); default:
    the rule's meta.severity. -#}
{% macro alert_select(rows, severity_expr=none) -%}
    select
        {{ alert_id(rule_meta_literal('code'), 'subject_id') }} as alert_id,
        {{ rule_meta_literal('code') }} as rule_code,
        {{ rule_meta_literal('family') }} as rule_family,
        {{ severity_expr if severity_expr else rule_meta_literal('severity') }} as severity,
        {{ rule_meta_literal('subject_type') }} as subject_type,
        cast(subject_id as {{ dbt.type_string() }}) as subject_id,
        cast(dept_code as {{ dbt.type_string() }}) as dept_code,
        cast(staff_id as {{ dbt.type_string() }}) as staff_id,
        {{ as_of() }} as as_of,
        cast(metric_value as {{ type_double() }}) as metric_value,
        cast(threshold_value as {{ type_double() }}) as threshold_value,
        cast(evidence as {{ dbt.type_string() }}) as evidence,
        coalesce(cast(occurred_on as date), {{ as_of() }}) as occurred_on,
        {{ explanation('zh') }} as explanation_zh,
        {{ explanation('en') }} as explanation_en
    from {{ rows }}
{%- endmacro %}

{#- The final select of every coverage model (models/warnings/coverage): one row per
    subject in the rule's scope, with the reason it could not be judged (null when it
    could). `scope` has columns subject_id, not_evaluable_reason. -#}
{% macro coverage_select(rule_code, scope) -%}
    select
        cast('{{ rule_code }}' as {{ dbt.type_string() }}) as rule_code,
        cast(subject_id as {{ dbt.type_string() }}) as subject_id,
        cast(not_evaluable_reason as {{ dbt.type_string() }}) as not_evaluable_reason
    from {{ scope }}
{%- endmacro %}
