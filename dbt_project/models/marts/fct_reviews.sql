-- One row per current review (好差评) with the staff member it judges, the department, and
-- its rectification clock (S01). Reviewers appear only as pseudonyms and masked phones;
-- the free-text comment and reply stay in staging (redacted), here only whether they exist.
with

reviews as (

    select * from {{ ref('int_reviews_attributed') }}

),

display as (

    select review_id, reviewer_phone_masked, comment_redacted, reply_redacted
    from {{ ref('stg_reviews') }}

),

calendar as (

    select * from {{ ref('int_calendar') }}

),

measured as (

    select
        reviews.*,
        coalesce(reviews.rectified_at, cast({{ as_of() }} as {{ dbt.type_timestamp() }}))
            as measured_to_at
    from reviews

),

clocked as (

    select
        measured.*,
        {{ working_days('measured.reviewed_at', 'measured.measured_to_at',
                        'cal_reviewed.workday_seq', 'cal_measured.workday_seq') }}
            as rectification_workdays
    from measured
    left join calendar as cal_reviewed
        on cal_reviewed.calendar_date = cast(measured.reviewed_at as date)
    left join calendar as cal_measured
        on cal_measured.calendar_date = cast(measured.measured_to_at as date)

),

final as (

    select
        clocked.review_id,
        clocked.case_id,
        clocked.window_id,
        clocked.staff_id,
        clocked.reviewed_staff_id,
        clocked.reviewed_staff_source,
        clocked.dept_code,
        clocked.rating,
        clocked.is_bad,
        clocked.reviewed_at,
        clocked.reviewed_on,
        cast({{ dbt.date_trunc('month', 'clocked.reviewed_on') }} as date) as reviewed_month,
        clocked.rectified_at,
        clocked.rectified_at is not null as is_rectified,
        -- bad reviews: working days from reviewed_at to rectified_at (or to as_of while
        -- not rectified); null for other reviews
        case when clocked.is_bad then clocked.rectification_workdays end as rectification_workdays,
        clocked.is_bad and clocked.rectified_at is not null
            and clocked.rectification_workdays <= {{ var('s01_rectification_limit_workdays') }}
            as is_rectified_within_limit,
        clocked.is_bad
            and clocked.rectification_workdays > {{ var('s01_rectification_limit_workdays') }}
            as is_rectification_overdue,
        clocked.reviewer_key,
        clocked.reviewer_key_kind,
        clocked.reviewer_phone_key,
        display.reviewer_phone_masked,
        clocked.is_by_applicant,
        display.comment_redacted is not null as has_comment,
        display.reply_redacted is not null as has_reply
    from clocked
    left join display on clocked.review_id = display.review_id

)

select * from final
