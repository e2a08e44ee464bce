{#- Incremental staging (issue 7: a daily run processes the new day, not the warehouse).

    A large staging model keeps what it built and, on the next run, rebuilds only the
    business keys that received a raw row since: every version of such a key is read
    again from raw (so the current version is picked among all of them, exactly as a
    full build would), and `delete+insert` on the key replaces what the model held.
    Raw is append-only (the loader loads a file once and never updates a row), so "a row
    loaded since" is `_loaded_at` later than the newest `_loaded_at` the model had seen,
    which it stores in every row it writes as `loaded_through`. (This trusts the loading
    machine's clock not to run backwards between two runs; `--full-refresh` repairs a
    warehouse where it did.)

    Usage, in a model configured
        materialized='incremental', incremental_strategy='delete+insert',
        unique_key=<the output columns of the key>, on_schema_change='fail':

        {{ ranked_versions(rows_of_changed_keys(source('raw', 'x'), ['key']), ['key']) }}
        ...
        {{ loaded_through(source('raw', 'x')) }} as loaded_through

    A model downstream of an incremental model can be incremental the same way, with the
    upstream's `loaded_through` as its load time (loaded_at='loaded_through'): a key the
    upstream rewrote carries the upstream's newest watermark in all its rows.

    On a full build (or --full-refresh) rows_of_changed_keys is the whole relation.
    on_schema_change='fail': after an upgrade that changes such a model's columns, rows
    built by the old code cannot be patched; `searchlight run --full-refresh` rebuilds. -#}

{% macro rows_of_changed_keys(relation, key_columns, loaded_at='_loaded_at') -%}
    {%- if is_incremental() -%}
    (
        select source_rows.*
        from {{ relation }} as source_rows
        inner join (
            select distinct {{ key_columns | join(', ') }}
            from {{ relation }}
            where {{ loaded_at }} > (
                select coalesce(max(loaded_through), cast('1900-01-01' as timestamp))
                from {{ this }}
            )
        ) as changed_keys
        using ({{ key_columns | join(', ') }})
    ) as rows_of_changed_keys
    {%- else -%}
    {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The newest raw load this build has seen: the next run's starting point. -#}
{% macro loaded_through(relation) -%}
    (select max(_loaded_at) from {{ relation }})
{%- endmacro %}
