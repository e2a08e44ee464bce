-- Reviews with the staff member they are about (rules.md, reviewed staff member: the
-- review's staff_id, else the handler of its case) and the department the review is
-- attributed to: that staff member's department, else the window's, else the case's.
-- Also flags the reviews S03 leaves out: the reviewer's phone is the applicant phone of
-- the reviewed case (pseudonyms compared, never clear text).
with

reviews as (

    select * from {{ ref('stg_reviews') }}

),

cases as (

    select case_id, dept_code, handler_staff_id, applicant_phone_key
    from {{ ref('stg_cases') }}

),

staff as (

    select staff_id, dept_code from {{ ref('stg_staff') }}

),

windows as (

    select window_id, dept_code from {{ ref('stg_windows') }}

),

attributed as (

    select
        reviews.review_id,
        reviews.case_id,
        reviews.window_id,
        reviews.staff_id,
        coalesce(reviews.staff_id, cases.handler_staff_id) as reviewed_staff_id,
        case
            when reviews.staff_id is not null then 'review'
            when cases.handler_staff_id is not null then 'case_handler'
        end as reviewed_staff_source,
        reviews.rating,
        reviews.rating <= {{ var('s_bad_rating_max') }} as is_bad,
        reviews.reviewed_at,
        cast(reviews.reviewed_at as date) as reviewed_on,
        reviews.rectified_at,
        reviews.reviewer_phone_key,
        reviews.reviewer_key,
        reviews.reviewer_key_kind,
        cases.case_id is not null as is_case_known,
        coalesce(
            reviews.reviewer_phone_key is not null
                and reviews.reviewer_phone_key = cases.applicant_phone_key,
            false
        ) as is_by_applicant,
        cases.dept_code as case_dept_code,
        windows.dept_code as window_dept_code
    from reviews
    left join cases on reviews.case_id = cases.case_id
    left join windows on reviews.window_id = windows.window_id

),

with_department as (

    select
        attributed.*,
        staff.dept_code as staff_dept_code,
        coalesce(staff.dept_code, attributed.window_dept_code, attributed.case_dept_code)
            as dept_code
    from attributed
    left join staff on attributed.reviewed_staff_id = staff.staff_id

)

select * from with_department
