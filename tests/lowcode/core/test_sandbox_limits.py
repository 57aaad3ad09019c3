"""The sandbox every administrator's template and expression runs in refuses what would build a huge value
before it builds it — padding widths, format widths, joins in loops, macros and sums — and keeps the ordinary
uses working."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError

from lowcode.core.sandbox import LimitedSandbox

HUGE = [
    "{{ 'a'.ljust(10**8) }}",
    "{{ 'a'.center(100000000) }}",
    "{{ 'a'.zfill(width=10**8) }}",
    "{{ 'a'|center(100000000) }}",
    "{{ 'a'|indent(100000000) }}",
    "{{ '%100000000s' % 'a' }}",
    "{{ '%(x)100000000s' % {'x': 1} }}",
    "{{ '%.100000000f' % 1 }}",
    "{{ '%*s' % (100000000, 'a') }}",
    "{{ '%100000000s'|format('a') }}",
    "{{ '{:>100000000}'.format('a') }}",
    "{{ '{0:.100000000f}'.format(1) }}",
    "{{ '{:>{w}}'.format('a', w=100000000) }}",
    "{% set ns = namespace(s='x' * 100000) %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{% set ns = namespace(a=[1] * 100000) %}{% for i in range(30) %}{% set ns.a = ns.a + ns.a %}{% endfor %}",
    "{% macro d(s, n) %}{{ d(s ~ s, n - 1) if n else s|length }}{% endmacro %}{{ d('x' * 100000, 30) }}",
    "{{ ([[1] * 50000] * 1000)|sum(start=[])|length }}",
]

ORDINARY = {
    "{{ 'a'.ljust(5) }}|": "a    |",
    "{{ '%-5s|%3d' % ('a', 7) }}": "a    |  7",
    "{{ '%d%%' % 50 }}": "50%",
    "{{ '{}年{}月'.format(2026, 12) }}": "2026年12月",
    "{{ '{:>5}'.format('a') }}": "    a",
    "{{ '%.2f'|format(3.14159) }}": "3.14",
    "{{ 'x'|center(5) }}": "  x  ",
    "{{ [1, 2, 3]|sum }}": "6",
    "{{ [{'x': 2}, {'x': 3}]|sum(attribute='x') }}": "5",
    "{{ 'a' + 'b' }}{{ 5 % 3 }}": "ab2",
    "{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}": "6",
}


@pytest.mark.parametrize("source", HUGE)
def test_a_huge_value_is_refused_before_it_is_built(source: str) -> None:
    with pytest.raises(SecurityError):
        LimitedSandbox().from_string(source).render()


def test_ordinary_formatting_keeps_working() -> None:
    env = LimitedSandbox()
    assert {source: env.from_string(source).render() for source in ORDINARY} == ORDINARY
