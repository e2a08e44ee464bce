{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='payment_id',
        on_schema_change='fail',
    )
}}
-- Subsidy payments (补贴发放), current version per payment_id (no updated_at: the later
-- file by name wins). recipient_id, recipient_name and bank_account never leave raw in
-- clear text: pseudonyms (stable for joins) and masked display forms only.
-- Incremental: a run rebuilds only the keys that received a raw row (macros/incremental.sql).
with

source as (

    {% set key = ['payment_id'] %}
    {{ ranked_versions(rows_of_changed_keys(source('raw', 'subsidy_payments'), key), key) }}

),

renamed as (

    select
        ----------  ids
        payment_id,
        program_code,
        {{ pseudonym('recipient_id') }} as recipient_key,
        {{ pseudonym('bank_account') }} as bank_account_key,
        handled_by_staff_id,

        ---------- masked personal data
        {{ mask_id_number('recipient_id') }} as recipient_id_masked,
        {{ mask_name('recipient_name') }} as recipient_name_masked,
        {{ mask_bank_account('bank_account') }} as bank_account_masked,

        ---------- text
        village,
        period_label,

        ---------- numerics
        cast(amount as decimal(18, 2)) as amount,

        ---------- timestamps
        paid_at,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'subsidy_payments')) }} as loaded_through

    from source
    where version_rank = 1

)

select * from renamed
