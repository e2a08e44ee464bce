with

departments as (

    select * from {{ ref('stg_departments') }}

),

final as (

    select
        dept_code,
        dept_name,
        parent_dept_code,
        region_code
    from departments

)

select * from final
