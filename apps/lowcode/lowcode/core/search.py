"""Search that scales in Chinese: an n-gram index of a DocType's name fields, and list search through indexes.

`LIKE '%王秀英%'` reads every row of a million-row table. Chinese has no spaces to cut words at, and MariaDB's
full-text search has no CJK tokenizer, so the fields a DocType names in its registration as `search_index`
(e.g. the applicant's name) are cut into the characters and pairs of characters they contain, stored as
SearchToken rows (doctype, token, doc_id) under one index. A term of one character is looked up as itself;
a longer one as its pairs — every pair must be there — and the rows found are checked against the term
itself, so "王秀" never matches "秀王". The write path (lowcode.core.documents) keeps the tokens of a record
in step with it; `rebuild` makes them for records written in bulk.

`search_q` is what the desk list (and anyone searching a DocType) asks for one term: Django's search-field
syntax — "^number" is a prefix (an index range), "=id_number" exact, a plain field is searched through the
n-gram index when it is indexed and with `icontains` otherwise (small tables). Each field's matches are
read through its own index first; the conditions then combine the ids found, so an OR over four fields
never turns into a scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet

from lowcode.core import registry

MAX_TERM = 40  # characters of a term that are looked up (a longer one still must match in full)
BRANCH_IDS = 1000  # a field whose matches are more than this combines as a subquery, not as a list of ids


def indexed_fields(model: type[models.Model]) -> tuple[str, ...]:
    doctype = registry.for_model(model)
    return tuple(doctype.extra.get("search_index", ())) if doctype else ()


def tokens(text: str) -> set[str]:
    """The characters and pairs of adjacent characters of `text` (lower-cased, spaces dropped)."""
    chars = [c for c in str(text or "").lower() if not c.isspace()]
    found = set(chars)
    found.update(a + b for a, b in pairwise(chars))
    return {t for t in found if t}


def query_tokens(term: str) -> list[str]:
    chars = [c for c in term.lower() if not c.isspace()][:MAX_TERM]
    if len(chars) == 1:
        return chars
    return sorted({a + b for a, b in pairwise(chars)})


def doc_tokens(doc: models.Model, fields: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for name in fields:
        found |= tokens(getattr(doc, name, "") or "")
    return found


def index_doc(doc: models.Model, changed: Iterable[str] | None = None) -> None:
    """Make the record's tokens again when one of its indexed fields was written (`changed` None: an insert, which
    has none stored yet). Runs inside the write path's transaction."""
    fields = indexed_fields(type(doc))
    if not fields or (changed is not None and not set(fields) & set(changed)):
        return
    from lowcode.core.models import SearchToken

    doctype = registry.for_model(type(doc)).name  # type: ignore[union-attr]
    wanted = doc_tokens(doc, fields)
    stored: set[str] = set()
    if changed is not None:
        stored = set(SearchToken.objects.filter(doctype=doctype, doc_id=doc.pk).values_list("token", flat=True))
        if stored - wanted:
            SearchToken.objects.filter(doctype=doctype, doc_id=doc.pk, token__in=stored - wanted).delete()
    if wanted - stored:
        SearchToken.objects.bulk_create(
            [SearchToken(doctype=doctype, token=t, doc_id=doc.pk) for t in sorted(wanted - stored)]
        )


def unindex_doc(doc: models.Model, pk: Any) -> None:
    if not indexed_fields(type(doc)):
        return
    from lowcode.core.models import SearchToken

    SearchToken.objects.filter(doctype=registry.for_model(type(doc)).name, doc_id=pk).delete()  # type: ignore[union-attr]


def bulk_rows(model: type[models.Model], docs: Iterable[models.Model]) -> list[Any]:
    """The SearchToken rows of records written in bulk (saved by the caller with bulk_create)."""
    from lowcode.core.models import SearchToken

    fields = indexed_fields(model)
    doctype = registry.for_model(model)
    if not fields or doctype is None:
        return []
    return [
        SearchToken(doctype=doctype.name, token=t, doc_id=doc.pk)
        for doc in docs
        for t in sorted(doc_tokens(doc, fields))
    ]


def rebuild(model: type[models.Model], batch: int = 2000) -> int:
    """Make the tokens of every record of the DocType again (after a bulk load, or for a newly indexed field)."""
    from lowcode.core.models import SearchToken

    fields = indexed_fields(model)
    doctype = registry.for_model(model)
    if not fields or doctype is None:
        return 0
    made = 0
    SearchToken.objects.filter(doctype=doctype.name).delete()
    last = 0
    while True:
        docs = list(model._default_manager.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:batch])
        if not docs:
            return made
        rows = bulk_rows(model, docs)
        SearchToken.objects.bulk_create(rows, batch_size=5000)
        made += len(rows)
        last = docs[-1].pk


# -- searching ---------------------------------------------------------------------------------------------------


def looks_like_a_name(term: str) -> bool:
    """A term with a digit and nothing but ASCII is a number (an application, ID or phone number), searched by
    the number fields' indexes only — its pairs of digits ("00", "13") would each match most of the table."""
    return not (any(c.isdigit() for c in term) and term.isascii())


def token_q(model: type[models.Model], term: str) -> Q:
    """The records whose indexed fields contain `term`: through the n-gram index, checked against the term."""
    from lowcode.core.models import SearchToken

    doctype = registry.for_model(model).name  # type: ignore[union-attr]
    q = Q()
    for token in query_tokens(term):
        q &= Q(pk__in=SearchToken.objects.filter(doctype=doctype, token=token).values("doc_id"))
    if len(term) > 1:
        contains = Q()
        for name in indexed_fields(model):
            contains |= Q(**{f"{name}__icontains": term})
        q &= contains
    return q


def field_q(name: str, term: str) -> Q:
    """Django's search-field syntax: ^prefix, =exact, @ (full text, unused here) and plain containment."""
    if name.startswith("^"):
        return Q(**{f"{name[1:]}__istartswith": term})
    if name.startswith("="):
        return Q(**{f"{name[1:]}__iexact": term})
    if name.startswith("@"):
        return Q(**{f"{name[1:]}__icontains": term})
    return Q(**{f"{name}__icontains": term})


def search_q(queryset: QuerySet, search_fields: Iterable[str], term: str) -> Q:
    """One word of a search across the fields (OR), each field through its own index."""
    model = queryset.model
    indexed = set(indexed_fields(model))
    branches: list[Q] = []
    plain_indexed = False
    for name in search_fields:
        bare = name.lstrip("^=@")
        if bare in indexed and bare == name:
            plain_indexed = True
            continue
        branches.append(field_q(name, term))
    if plain_indexed and looks_like_a_name(term):
        branches.append(token_q(model, term))
    if len(branches) == 1:
        return branches[0]
    found: set[Any] = set()
    broad = Q()
    for branch in branches:
        ids = list(queryset.filter(branch).order_by().values_list("pk", flat=True)[: BRANCH_IDS + 1])
        if len(ids) <= BRANCH_IDS:
            found.update(ids)
        else:
            broad |= branch
    combined = Q(pk__in=sorted(found))
    return combined | broad if broad else combined
