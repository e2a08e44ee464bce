with

source as (

    {{ ranked_versions(source('raw', 'items'), ['item_code']) }}

),

renamed as (

    select
        ----------  ids
        item_code,
        dept_code,

        ---------- text
        item_name,
        item_type,
        coalesce(limit_unit, '工作日') as limit_unit,
        legal_basis,

        ---------- numerics
        cast(statutory_limit_days as integer) as statutory_limit_days,
        cast(promised_limit_days as integer) as promised_limit_days,
        fee,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
