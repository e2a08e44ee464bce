-- Monthly satisfaction (好差评) per reviewed staff member, per window and per department:
-- one mart with a `level` column (staff / window / department) so a dashboard filters one
-- table. A review counts at every level it can be attributed to (its window may be
-- unknown, its staff member too); the month is the month of reviewed_at. The grain is
-- (level, level_id, month), not staff x window x department.
{%- set levels = [('staff', 'reviewed_staff_id'), ('window', 'window_id'),
                  ('department', 'dept_code')] %}
with

reviews as (

    select * from {{ ref('fct_reviews') }}

),

{#- A staff member or window can serve several departments in a month (a transfer, a
    shared window): their row takes the department of most of their reviews that month,
    the smallest code on a tie, so it is stable and not just the alphabetically last. #}
{%- for level, column in levels if level != 'department' %}
{{ level }}_department as (

    select level_id, month, dept_code
    from (
        select
            {{ column }} as level_id,
            reviewed_month as month,
            dept_code,
            row_number() over (
                partition by {{ column }}, reviewed_month
                order by dept_code is null, count(*) desc, dept_code
            ) as department_rank
        from reviews
        where {{ column }} is not null
        group by {{ column }}, reviewed_month, dept_code
    ) as ranked
    where department_rank = 1

),
{% endfor %}

by_level as (

    {% for level, column in levels %}
    select
        '{{ level }}' as level,
        {{ column }} as level_id,
        reviewed_month as month,
        count(*) as review_count,
        avg(cast(rating as {{ type_double() }})) as rating_mean,
        sum(case when is_bad then 1 else 0 end) as bad_review_count,
        sum(case when is_rectified_within_limit then 1 else 0 end)
            as bad_rectified_within_limit_count,
        -- bad reviews not yet rectified whose working-day limit has not run out at as_of:
        -- they may still be rectified in time, so they are neither success nor failure yet
        sum(case when is_bad and not is_rectified and not is_rectification_overdue
                 then 1 else 0 end) as bad_rectification_pending_count
    from reviews
    where {{ column }} is not null
    group by {{ column }}, reviewed_month
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

with_department as (

    select
        by_level.*,
        case by_level.level
            when 'staff' then staff_department.dept_code
            when 'window' then window_department.dept_code
            else by_level.level_id
        end as dept_code
    from by_level
    left join staff_department
        on by_level.level = 'staff'
        and by_level.level_id = staff_department.level_id
        and by_level.month = staff_department.month
    left join window_department
        on by_level.level = 'window'
        and by_level.level_id = window_department.level_id
        and by_level.month = window_department.month

),

final as (

    select
        level,
        level_id,
        dept_code,
        month,
        review_count,
        round(rating_mean, 3) as rating_mean,
        bad_review_count,
        cast(bad_review_count as {{ type_double() }}) / review_count as bad_share,
        bad_rectified_within_limit_count,
        bad_rectification_pending_count,
        case when bad_review_count - bad_rectification_pending_count > 0
             then cast(bad_rectified_within_limit_count as {{ type_double() }})
                  / (bad_review_count - bad_rectification_pending_count)
        end as rectification_rate
    from with_department

)

select * from final
