-- Subsidy programs (补贴项目), current version per program_code (no updated_at: the later
-- file by name wins).
with

source as (

    {{ ranked_versions(source('raw', 'subsidy_programs'), ['program_code']) }}

),

renamed as (

    select
        ----------  ids
        program_code,

        ---------- text
        program_name,
        period as program_period,

        ---------- numerics
        cast(max_amount_per_period as decimal(18, 2)) as max_amount_per_period,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
