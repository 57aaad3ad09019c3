"""Print templates are administrator-written: the sandbox and its limits, payload by payload."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lowcode.printing.models import PrintFormat
from lowcode.printing.sandbox import TemplateProblem, render


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


CONTEXT = {"doc": {"number": "BJ1", "applicant_name": "张伟", "materials": [{"name": "申请书"}]}, "now": None}


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ doc.__class__.__base__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ joiner.__init__.__globals__ }}",
        "{{ namespace.__init__.__globals__ }}",
        "{{ (doc.materials|list)[0].__class__ }}",
        "{{ doc.materials.__len__() }}",
        "{{ ''.format.__globals__ }}",
        "{{ doc.update({'number': 'x'}) }}",
        "{{ doc.materials.append(1) }}",
    ],
)
def test_object_internals_are_refused_or_inert(payload: str) -> None:
    """Either the sandbox refuses (unsafe attribute, immutable object) or the access yields nothing at all."""
    try:
        out = render(payload, dict(CONTEXT))
    except TemplateProblem as problem:
        assert "unsafe" in str(problem) or "undefined" in str(problem) or "has no attribute" in str(problem)
    else:
        assert out == ""
    assert CONTEXT["doc"]["number"] == "BJ1" and len(CONTEXT["doc"]["materials"]) == 1  # nothing was changed


@pytest.mark.parametrize(
    "payload",
    [
        "{{ settings }}",
        "{{ settings.SECRET_KEY }}",
        "{{ config }}",
        "{{ request }}",
        "{{ doc.objects }}",
        "{{ doc.number.objects }}",
        "{{ os }}",
        "{{ __builtins__ }}",
    ],
)
def test_settings_request_orm_and_builtins_are_not_there(payload: str) -> None:
    """Nothing but the plain data given is in reach: these render to nothing (or fail as undefined)."""
    try:
        out = render(payload, dict(CONTEXT))
    except TemplateProblem as problem:
        assert "undefined" in str(problem)
    else:
        assert out == ""


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        ("{% for i in range(100000000) %}{% endfor %}", "range() is limited"),
        ("{{ 'a' * 100000000 }}", "longer than"),
        ("{{ [1] * 100000000 }}", "longer than"),
        ("{{ 9 ** 999999 }}", "power is too large"),
        ("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}", "output is longer"),
        ("{{ lipsum(1000000) }}", "undefined"),
        ("{% include '/etc/passwd' %}", "loader"),
        ("{% import 'os' as os %}", "loader"),
    ],
)
def test_unbounded_work_is_refused(payload: str, says: str) -> None:
    with pytest.raises(TemplateProblem) as problem:
        render(payload, dict(CONTEXT))
    assert says in str(problem.value)


def test_a_render_that_runs_too_long_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(TemplateProblem) as problem:
        render("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", {}, seconds=0.3)
    assert "ran longer than" in str(problem.value)
    assert time.monotonic() - started < 5


def test_harmless_templates_render_escaped() -> None:
    out = render("{{ doc.applicant_name }} {{ '<script>' }} {{ doc.materials|length }}", dict(CONTEXT))
    assert out == "张伟 &lt;script&gt; 1"


@pytest.mark.django_db
def test_a_format_that_does_not_compile_or_fails_on_the_sample_is_refused_at_save_with_its_line(
    django_user_model,
) -> None:
    django_user_model.objects.create_user("sample-user")  # the sample record the format is tried on
    bad = PrintFormat(name="坏模板", doctype="User", template="<h1>{{ doc.username }}</h1>\n{% for x in %}\n")
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "Line 2" in str(error.value.message_dict["template"]) or "第 2 行" in str(
        error.value.message_dict["template"]
    )
    failing = PrintFormat(name="坏数据", doctype="User", template="<p>ok</p>\n\n{{ doc.username.nothing.deeper }}\n")
    with pytest.raises(ValidationError) as error:
        failing.full_clean()
    message = str(error.value.message_dict["template"])
    assert ("Line 3" in message or "第 3 行" in message) and "nothing" in message
    assert not PrintFormat.objects.exists()
    good = PrintFormat(name="好模板", doctype="User", template="<p>{{ doc.username }}</p>")
    good.full_clean()
    with pytest.raises(ValidationError):
        PrintFormat(name="x", doctype="User", template="<p></p>", css="</style><script>alert(1)</script>").full_clean()
