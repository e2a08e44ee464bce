{#- Explanations (marts.alerts.explanation_zh / explanation_en, contract/outputs.md): one
    sentence per alert, made from its evidence by the rule's template.

    The templates live with the rule, in its YAML's config.meta (explanation_zh,
    explanation_en), and are rendered at parse into SQL over the alert's evidence JSON, so
    every reader of the warehouse (BI on the Parquet, the console, SQL) reads the same
    sentence and no reader needs a renderer of its own. A template is either

    - a text with `{evidence_key}` placeholders, each replaced by that key's value as the
      evidence holds it (a number as a JSON reader of the evidence gives it: 25, 0.2,
      183.33, and 500.0 for a DECIMAL's 500.00, as the console's evidence table shows
      it; never re-formatted to a fixed scale); or
    - a list of variants `{when: {key: value, ...}, text: ...}` for rules whose alerts
      differ in kind (S06 吃拿卡要 or slow handling; T05 still open or completed late): the
      first variant whose `when` keys all equal the evidence's values (true/false for
      booleans, null for a value the evidence lacks) gives the text; the last variant has
      no `when` and is the default.

    Only scalar keys belong in a sentence (ids, dates, counts, thresholds); lists stay in
    the evidence table. A key whose value is null renders as '—', so a template never
    blanks a sentence: tests/test_explanations.py fails on any such placeholder over the
    conformance cases and the demo. A template holds no number of its own: the thresholds
    in force come from the evidence, so a --vars override shows in the sentence.

    Each placeholder reads its key from the evidence where it stands. Measured on DuckDB
    (2 threads, 400,000 T01 alerts, both sentences): 2.5 s; reading each key once in a
    subquery was no faster (the optimiser inlines the projection), one list-valued
    json_extract_string per alert 1.8 s, not worth an engine-specific list macro.

    Engine-specific SQL stays in dispatched macros: json_text (macros/json.sql; Spark's
    is get_json_object) and dbt.escape_single_quotes / dbt.concat. -#}

{#- The explanation column of one language ('zh' or 'en') for the rule model being
    compiled, over its `evidence` column. Null where the model's meta is not visible (unit
    tests; sqlfluff's parse-time render). -#}
{% macro explanation(language, evidence='evidence') -%}
    {%- set template = rule_meta('explanation_' ~ language) -%}
    {%- if template is none -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ explanation_sql(template, evidence, model.name ~ ' meta.explanation_' ~ language) }}
    {%- endif -%}
{%- endmacro %}

{#- A template (text or list of variants, above) as a SQL text expression. `where` names
    the template in error messages. -#}
{% macro explanation_sql(template, evidence, where) -%}
    {%- if template is string -%}
        {{ explanation_text_sql(template, evidence, where) }}
    {%- else -%}
        {%- set variants = template | list -%}
        {%- if variants | length < 2 or variants[-1] is not mapping or variants[-1].get('when') -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": a list of variants needs at least two, the last without `when` "
                ~ "(the default)") }}
        {%- endif -%}
        case
        {%- for variant in variants[:-1] %}
            {%- if variant is not mapping or not variant.get('when') or not variant.get('text') -%}
                {{ exceptions.raise_compiler_error(
                    where ~ ": variant " ~ loop.index ~ " needs both `when` and `text`") }}
            {%- endif %}
            when {% for key, value in variant['when'].items() -%}
                {{ explanation_condition(evidence, key, value, where) }}
                {{- " and " if not loop.last }}
            {%- endfor %}
                then {{ explanation_text_sql(variant['text'], evidence, where) }}
        {%- endfor %}
            else {{ explanation_text_sql(variants[-1]['text'], evidence, where) }}
        end
    {%- endif -%}
{%- endmacro %}

{#- evidence.key = value, compared as text: the JSON's own spelling of a scalar; a null
    value (YAML `null` or `~`) asks for the key to be null or absent. -#}
{% macro explanation_condition(evidence, key, value, where) -%}
    {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', key | string) -%}
        {{ exceptions.raise_compiler_error(where ~ ": `when` key '" ~ key ~ "' is not an evidence key") }}
    {%- endif -%}
    {%- if value is none -%}
        {{ json_text(evidence, key) }} is null
    {%- else -%}
        {%- if value is sameas true -%}{%- set text = 'true' -%}
        {%- elif value is sameas false -%}{%- set text = 'false' -%}
        {%- else -%}{%- set text = value | string -%}{%- endif -%}
        coalesce({{ json_text(evidence, key) }} = '{{ dbt.escape_single_quotes(text) }}', false)
    {%- endif -%}
{%- endmacro %}

{#- One text with {key} placeholders as a concatenation of literals and evidence values. -#}
{% macro explanation_text_sql(text, evidence, where) -%}
    {%- if text is not string or not text.strip() -%}
        {{ exceptions.raise_compiler_error(where ~ ": a template must be a non-empty text") }}
    {%- endif -%}
    {%- set pieces = modules.re.split('\{([A-Za-z_][A-Za-z0-9_]*)\}', text) -%}
    {%- set parts = [] -%}
    {%- for piece in pieces -%}
        {%- if loop.index0 is odd -%}
            {%- do parts.append("coalesce(" ~ json_text(evidence, piece) ~ ", '—')") -%}
        {%- elif piece -%}
            {%- if '{' in piece or '}' in piece -%}
                {{ exceptions.raise_compiler_error(
                    where ~ ": '" ~ piece ~ "' has a brace that is no {evidence_key} placeholder") }}
            {%- endif -%}
            {%- do parts.append("'" ~ dbt.escape_single_quotes(piece) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}{{ parts[0] }}{%- else -%}{{ dbt.concat(parts) }}{%- endif -%}
{%- endmacro %}
