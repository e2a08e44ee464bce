-- Enterprises a staff member is linked to (rules F05, P02, P06): an enterprise where the
-- staff member or one of their relatives (int_staff_person_links) is the legal
-- representative (enterprises.legal_rep_id) or appears among its persons
-- (enterprise_persons, any role). One row per staff member, enterprise, linked person
-- and role, so the evidence can say who links them and how.
with

person_links as (

    select * from {{ ref('int_staff_person_links') }}

),

enterprises as (

    select * from {{ ref('stg_enterprises') }}

),

enterprise_persons as (

    select * from {{ ref('stg_enterprise_persons') }}

),

enterprise_people as (

    select uscc, enterprise_key, legal_rep_key as person_key, '法定代表人' as enterprise_role
    from enterprises
    where legal_rep_key is not null

    union

    select uscc, enterprise_key, person_key, role as enterprise_role
    from enterprise_persons
    where person_key is not null

),

final as (

    select
        person_links.staff_id,
        person_links.dept_code,
        enterprise_people.uscc,
        -- pseudonym of the code as written in raw (staging's uscc is already the
        -- pseudonym of a sole proprietorship's code, so it is not hashed again here)
        enterprise_people.enterprise_key,
        person_links.person_key,
        person_links.relation,
        enterprise_people.enterprise_role
    from enterprise_people
    inner join person_links on enterprise_people.person_key = person_links.person_key

)

select * from final
