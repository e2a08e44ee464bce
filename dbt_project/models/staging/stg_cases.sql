{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='case_id',
        on_schema_change='fail',
    )
}}
-- The current version of each case (rules.md, current version).
-- Incremental like stg_cases_versions (macros/incremental.sql): a run re-picks the current
-- version of the cases stg_cases_versions rewrote, which carry its newest loaded_through.
with

versions as (

    select * from {{ rows_of_changed_keys(ref('stg_cases_versions'), ['case_id'],
                                          loaded_at='loaded_through') }}

),

current_versions as (

    select * from versions
    where version_number = version_count

)

select * from current_versions
