with

items as (

    select * from {{ ref('stg_items') }}

),

final as (

    select
        item_code,
        item_name,
        dept_code,
        item_type,
        limit_unit,
        statutory_limit_days,
        promised_limit_days,
        legal_basis,
        fee
    from items

)

select * from final
