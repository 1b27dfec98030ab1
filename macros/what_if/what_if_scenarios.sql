{% macro what_if_scenarios() %}
    {#-
        The rule sets a run evaluates, as a list of {scenario_id, scenario,
        thresholds}: scenario 0 is the current thresholds (the vars), and in a
        what-if run every candidate of var what_if follows. var what_if maps
        persona threshold vars to a value, or to a list of values (a sweep:
        at most two vars, every combination evaluated). A candidate equal to
        the current thresholds is scenario 0. Refuses, naming the var and the
        value, anything else: a name that is not a threshold, a value that is
        not a plausible number for it (threshold_var), an empty list, more
        candidates than var what_if_max_scenarios.
    -#}
    {%- set current = {} -%}
    {%- for name in persona_thresholds() -%}
        {%- do current.update({name: threshold_var(name)}) -%}
    {%- endfor -%}
    {%- set scenarios = [{'scenario_id': 0, 'scenario': 'current', 'thresholds': current}] -%}
    {%- if not what_if_mode() -%}
        {{ return(scenarios) }}
    {%- endif -%}
    {%- set requested = var('what_if') -%}
    {%- set example = "e.g. {high_utilization_min_utilization: 0.6} or {high_utilization_min_utilization: [0.4, 0.5, 0.6]}" -%}
    {%- if requested is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var what_if must map threshold vars to candidate values, " ~ example ~ "; got " ~ (requested | tojson) ~ "."
        ) }}
    {%- endif -%}
    {%- set fixed = {} -%}
    {%- set swept = [] -%}
    {%- for name, value in requested.items() -%}
        {%- if name not in current -%}
            {%- set what = "is a project var but not a persona threshold: a what-if changes thresholds only, "
                ~ "and paths, windows and switches stay as the run's vars" if var.has_var(name)
                else "is not a var of this project" -%}
            {{ exceptions.raise_compiler_error(
                "what_if: '" ~ name ~ "' " ~ what ~ ". The thresholds are: " ~ (current.keys() | sort | join(', ')) ~ "."
            ) }}
        {%- endif -%}
        {%- if value is iterable and value is not string and value is not mapping -%}
            {%- if value | length == 0 -%}
                {{ exceptions.raise_compiler_error(
                    "what_if: the list of values of '" ~ name ~ "' is empty; give at least one value, " ~ example ~ "."
                ) }}
            {%- endif -%}
            {%- for candidate in value -%}
                {%- do threshold_var(name, candidate=candidate) -%}
            {%- endfor -%}
            {%- do swept.append((name, value)) -%}
        {%- else -%}
            {%- do fixed.update({name: threshold_var(name, candidate=value)}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if swept | length > 2 -%}
        {{ exceptions.raise_compiler_error(
            "what_if sweeps at most two vars at once, and got " ~ swept | length ~ " lists: "
            ~ (swept | map(attribute=0) | join(', ')) ~ ". Give the others a single value."
        ) }}
    {%- endif -%}
    {%- set count = namespace(value=1) -%}
    {%- for name, values in swept -%}
        {%- set count.value = count.value * values | length -%}
    {%- endfor -%}
    {%- set limit = threshold_var('what_if_max_scenarios', unit='count', divisor=true) -%}
    {%- if count.value > limit -%}
        {{ exceptions.raise_compiler_error(
            "what_if asks for " ~ count.value ~ " candidates (" ~ (swept | map(attribute=0) | join(' x '))
            ~ "), more than var what_if_max_scenarios = " ~ limit ~ ": every candidate is evaluated "
            ~ "for every key. Use fewer values, or raise the var."
        ) }}
    {%- endif -%}
    {#- Every combination of the swept values, with the fixed values. -#}
    {%- set combinations = namespace(items=[fixed]) -%}
    {%- for name, values in swept -%}
        {%- set extended = [] -%}
        {%- for combination in combinations.items -%}
            {%- for value in values -%}
                {%- set candidate = dict(combination) -%}
                {%- do candidate.update({name: value}) -%}
                {%- do extended.append(candidate) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set combinations.items = extended -%}
    {%- endfor -%}
    {%- for combination in combinations.items -%}
        {%- set thresholds = dict(current) -%}
        {%- do thresholds.update(combination) -%}
        {%- set known = scenarios | selectattr('thresholds', 'equalto', thresholds) | list -%}
        {%- if not known -%}
            {%- set label = [] -%}
            {%- for name in combination | sort -%}
                {%- set value = combination[name] -%}
                {#- a whole number as one (a swept count arrives as 4.0) -#}
                {%- do label.append(name ~ '=' ~ (value | int if value == value | int else value)) -%}
            {%- endfor -%}
            {%- do scenarios.append({
                'scenario_id': scenarios | length, 'scenario': label | join(', '), 'thresholds': thresholds,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(scenarios) }}
{% endmacro %}
