-- Who each staff member is linked to as a person (rules F05, P06, L04): the staff member
-- themself (relation 本人, from stg_staff.person_key) and every relative they declared
-- (stg_staff_relatives). One row per (staff_id, person_key); a person declared twice for
-- one staff member keeps the closest relation (本人, 配偶, 子女, 父母, 兄弟姐妹, 其他).
with

staff as (

    select * from {{ ref('stg_staff') }}

),

relatives as (

    select * from {{ ref('stg_staff_relatives') }}

),

links as (

    select staff_id, person_key, '本人' as relation
    from staff
    where person_key is not null

    union all

    select staff_id, relative_key as person_key, relation
    from relatives
    where relative_key is not null

),

ranked as (

    select
        links.*,
        row_number() over (
            partition by links.staff_id, links.person_key
            order by case links.relation
                when '本人' then 0 when '配偶' then 1 when '子女' then 2
                when '父母' then 3 when '兄弟姐妹' then 4 else 5 end
        ) as closeness_rank
    from links

),

final as (

    select
        ranked.staff_id,
        staff.dept_code,
        ranked.person_key,
        ranked.relation
    from ranked
    -- relatives of a staff id the staff source does not know keep a null department
    left join staff on ranked.staff_id = staff.staff_id
    where ranked.closeness_rank = 1

)

select * from final
