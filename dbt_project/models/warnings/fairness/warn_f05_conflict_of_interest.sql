-- F05 利益冲突: the handler or approver of a case is the applicant, a relative of the
-- applicant (staff_relatives), or the applicant is an enterprise in which the staff member
-- or a relative appears in enterprise_persons or as legal representative. The relations
-- come from int_staff_person_links and int_staff_enterprise_links; one alert per case,
-- its evidence listing every link (staff id, role on the case, how linked; persons only
-- as pseudonyms).
with

cases as (

    select * from {{ ref('stg_cases') }}

),

person_links as (

    select * from {{ ref('int_staff_person_links') }}

),

enterprise_links as (

    select * from {{ ref('int_staff_enterprise_links') }}

),

linked_applicants as (

    -- every key an applicant would need to be linked at all (a few thousand): the cases
    -- are narrowed to these before the staff-by-role rows are built (millions otherwise)
    select person_key as applicant_key from person_links
    union
    select enterprise_key as applicant_key from enterprise_links

),

candidate_cases as (

    select cases.*
    from cases
    inner join linked_applicants on cases.applicant_key = linked_applicants.applicant_key

),

case_staff as (

    select
        case_id, applicant_key, handler_staff_id as staff_id, 'handler' as case_role,
        1 as role_order
    from candidate_cases
    where handler_staff_id is not null and applicant_key is not null

    union all

    select
        case_id, applicant_key, approver_staff_id as staff_id, 'approver' as case_role,
        2 as role_order
    from candidate_cases
    where approver_staff_id is not null and applicant_key is not null

),

links as (

    -- the applicant is the staff member (本人) or a relative
    select
        case_staff.case_id,
        case_staff.staff_id,
        case_staff.case_role,
        case_staff.role_order,
        case when person_links.relation = '本人' then 'applicant_is_staff'
             else 'applicant_is_relative' end as link_type,
        person_links.relation,
        cast(null as {{ dbt.type_string() }}) as enterprise_role,
        person_links.person_key
    from case_staff
    inner join person_links
        on case_staff.staff_id = person_links.staff_id
        and case_staff.applicant_key = person_links.person_key

    union all

    -- the applicant is an enterprise of the staff member or a relative
    select
        case_staff.case_id,
        case_staff.staff_id,
        case_staff.case_role,
        case_staff.role_order,
        'applicant_is_linked_enterprise' as link_type,
        enterprise_links.relation,
        enterprise_links.enterprise_role,
        enterprise_links.person_key
    from case_staff
    inner join enterprise_links
        on case_staff.staff_id = enterprise_links.staff_id
        and case_staff.applicant_key = enterprise_links.enterprise_key

),

link_details as (

    select
        links.*,
        {{ json_object([
            ('staff_id', 'staff_id'),
            ('case_role', 'case_role'),
            ('link_type', 'link_type'),
            ('relation', 'relation'),
            ('enterprise_role', 'enterprise_role'),
            ('person_key', 'person_key'),
        ]) }} as link_json
    from links

),

per_case as (

    select
        case_id,
        count(*) as link_count,
        {{ json_array_agg(json_value('link_json'),
                          'role_order, staff_id, link_type, person_key, enterprise_role') }}
            as link_list,
        min(role_order) as first_role_order
    from link_details
    group by case_id

),

conflicted as (

    select
        cases.case_id,
        cases.dept_code,
        cases.handler_staff_id,
        cases.approver_staff_id,
        cases.applicant_type,
        cases.applicant_key,
        cases.applicant_id_masked,
        per_case.link_count,
        per_case.link_list,
        -- attributed to the handler when the handler is linked, else to the approver
        case when per_case.first_role_order = 1 then cases.handler_staff_id
             else cases.approver_staff_id end as attributed_staff_id
    from candidate_cases as cases
    inner join per_case on cases.case_id = per_case.case_id

),

alert_rows as (

    select
        case_id as subject_id,
        dept_code,
        attributed_staff_id as staff_id,
        link_count as metric_value,
        1 as threshold_value,
        {{ latest_date_in(ref('stg_cases'), 'coalesce(accepted_at, submitted_at)',
                          'occurred_source.case_id = conflicted.case_id') }} as occurred_on,
        {{ json_object([
            ('case_id', 'case_id'),
            ('handler_staff_id', 'handler_staff_id'),
            ('approver_staff_id', 'approver_staff_id'),
            ('applicant_type', 'applicant_type'),
            ('applicant_key', 'applicant_key'),
            ('applicant_id_masked', 'applicant_id_masked'),
            ('links', json_value('link_list')),
        ]) }} as evidence
    from conflicted

),

final as (

    {{ alert_select('alert_rows') }}

)

select * from final
