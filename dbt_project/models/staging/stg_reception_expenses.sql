-- Official reception expenses (公务接待), current version per expense_id (no updated_at:
-- the later file by name wins).
with

source as (

    {{ ranked_versions(source('raw', 'reception_expenses'), ['expense_id']) }}

),

renamed as (

    select
        ----------  ids
        expense_id,
        dept_code,
        approved_by_staff_id,
        invoice_no,

        ---------- text
        venue_type,

        ---------- numerics
        cast(amount as decimal(18, 2)) as amount,
        cast(guests as integer) as guests,
        cast(companions as integer) as companions,

        ---------- dates
        occurred_on,

        ---------- lineage
        _file_name as source_file_name,
        _line as source_line

    from source
    where version_rank = 1

)

select * from renamed
