-- Staff, pseudonymised: person_key = pseudonym(id_number); names and ID numbers masked.
with

staff as (

    select * from {{ ref('stg_staff') }}

),

final as (

    select
        staff_id,
        dept_code,
        person_key,
        id_number_masked,
        staff_name_masked,
        post,
        is_official
    from staff

)

select * from final
