{{
    config(
        materialized=staging_materialization(),
        incremental_strategy='delete+insert',
        unique_key='case_id',
        on_schema_change='fail',
    )
}}
-- Every version of every case (T09 reads the history), pseudonymised like stg_cases.
-- version_number orders the versions: 1 is the first, the highest is the current one
-- (updated_at, then the file name sorting last, then the later line).
-- Incremental (macros/incremental.sql): a run rebuilds the cases that received a new
-- version, from all their versions in raw; the pseudonyms are the expensive part.
with

source as (

    select * from {{ rows_of_changed_keys(source('raw', 'cases'), ['case_id']) }}

),

renamed as (

    select
        ----------  ids
        case_id,
        item_code,
        dept_code,
        window_id,
        {{ enterprise_id('agent_id') }} as agent_id,  -- an agency may be a 个体工商户
        handler_staff_id,
        approver_staff_id,
        {{ pseudonym('applicant_id') }} as applicant_key,
        {{ pseudonym('applicant_phone') }} as applicant_phone_key,

        ---------- masked personal data
        {{ mask_id_number('applicant_id') }} as applicant_id_masked,
        {{ mask_name('applicant_name') }} as applicant_name_masked,
        {{ mask_phone('applicant_phone') }} as applicant_phone_masked,

        ---------- text
        channel,
        applicant_type,
        agent_name,
        status,
        result,

        ---------- numerics
        cast(promised_limit_days as integer) as promised_limit_days,

        ---------- timestamps
        submitted_at,
        accepted_at,
        completed_at,
        updated_at,

        ---------- versions
        row_number() over (
            partition by case_id
            order by updated_at, _file_name, _line
        ) as version_number,
        count(*) over (partition by case_id) as version_count,

        ---------- lineage
        _batch_id as source_batch_id,
        _file_name as source_file_name,
        _line as source_line,
        {{ loaded_through(source('raw', 'cases')) }} as loaded_through

    from source

)

select * from renamed
