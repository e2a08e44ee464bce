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
