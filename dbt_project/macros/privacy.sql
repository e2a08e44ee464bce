{#- Personal data leaves raw only as a keyed pseudonym (stable for joins) and a masked
    display form (contract/sources.md). The key lives in the dbt-duckdb plugin
    searchlight.dbt_plugin, never in SQL. -#}

{% macro pseudonym(expr) -%}
    {{ return(adapter.dispatch('pseudonym', 'searchlight')(expr)) }}
{%- endmacro %}

{% macro duckdb__pseudonym(expr) -%}
    sl_pseudonym({{ expr }})
{%- endmacro %}

{% macro default__pseudonym(expr) -%}
    {#- Other engines: a function of the same name installed by the deployment. -#}
    sl_pseudonym({{ expr }})
{%- endmacro %}

{% macro spark__pseudonym(expr) -%}
    {#- A session function registered by searchlight.spark.session (the key's pads live
        only in the Spark session); on a cluster, provided by the platform (docs/spark.md). -#}
    sl_pseudonym(cast({{ expr }} as string))
{%- endmacro %}


{#- 5101**********1234: the first 4 and the last 4 characters, a star for each other. -#}
{% macro mask_id_number(expr) -%}
    case
        when {{ expr }} is null then null
        when {{ dbt.length(expr) }} <= 8 then repeat('*', {{ dbt.length(expr) }})
        else {{ dbt.concat([
            "substr(" ~ expr ~ ", 1, 4)",
            "repeat('*', " ~ dbt.length(expr) ~ " - 8)",
            dbt.right(expr, "4"),
        ]) }}
    end
{%- endmacro %}

{#- 138****5678: the first 3 and the last 4 digits of the phone (white space removed). -#}
{% macro mask_phone(expr) -%}
    {%- set digits = "replace(" ~ expr ~ ", ' ', '')" -%}
    case
        when {{ expr }} is null then null
        when {{ dbt.length(digits) }} <= 7 then repeat('*', {{ dbt.length(digits) }})
        else {{ dbt.concat([
            "substr(" ~ digits ~ ", 1, 3)",
            "repeat('*', " ~ dbt.length(digits) ~ " - 7)",
            dbt.right(digits, "4"),
        ]) }}
    end
{%- endmacro %}

{#- 张**: the first character, then a star for each remaining character. -#}
{% macro mask_name(expr) -%}
    case
        when {{ expr }} is null then null
        else {{ dbt.concat(["substr(" ~ expr ~ ", 1, 1)", "repeat('*', " ~ dbt.length(expr) ~ " - 1)"]) }}
    end
{%- endmacro %}

{#- 6217 **** **** 1234: a bank account (white space removed) as its first 4 and last 4
    digits with the hidden digits between them shown as groups of four stars, one group
    per started four hidden digits (so 16 digits give `6217 **** **** 1234` and 19 digits
    `6217 **** **** **** 1234`); 8 characters or fewer are all stars. -#}
{% macro mask_bank_account(expr) -%}
    {%- set digits = "replace(" ~ expr ~ ", ' ', '')" -%}
    case
        when {{ expr }} is null then null
        when {{ dbt.length(digits) }} <= 8 then repeat('*', {{ dbt.length(digits) }})
        else {{ dbt.concat([
            "substr(" ~ digits ~ ", 1, 4)",
            "' '",
            "repeat('**** ', cast(ceil((" ~ dbt.length(digits) ~ " - 8) / 4.0) as integer))",
            dbt.right(digits, "4"),
        ]) }}
    end
{%- endmacro %}


{#- Unified social credit codes (GB 32100). The code of a legal person is its public
    identifier and stays in clear text. A code starting `92` belongs to a 个体工商户, a
    natural person's sole proprietorship: personal data that must not reach the marts in
    clear text (outputs.md, Privacy). Every staging model that carries a credit code
    passes it through `enterprise_id`, so the column keeps its name and its joins (P02,
    P06, F05, coverage) still match: each code maps to the same value everywhere. -#}

{#- The credit code of a legal person; pseudonym(code) of a sole proprietorship. -#}
{% macro enterprise_id(expr) -%}
    case when {{ expr }} like '92%' then {{ pseudonym(expr) }} else {{ expr }} end
{%- endmacro %}

{#- Display form: a legal person's code whole, a sole proprietorship's as
    9250**********TY4M (first 4 and last 4 characters, like an ID number). -#}
{% macro mask_uscc(expr) -%}
    case when {{ expr }} like '92%' then {{ mask_id_number(expr) }} else {{ expr }} end
{%- endmacro %}
