"""FilterSets: every cable list narrows by tags (all must match), origin, classification and a
date range, and sorts by date; the state lives in the query string."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from cables.models import Cable, CableQuerySet, CableTag, Classification, Origin, Tag

SORTS = (("newest", "Newest first"), ("oldest", "Oldest first"))
SEARCH_SORTS = (("relevance", "Relevance"), *SORTS)
MAX_TAGS = 10


def origin_choices() -> list[tuple[str, str]]:
    """Every origin as (slug, name), in one query when the form is built."""
    return list(Origin.objects.order_by("name").values_list("slug", "name"))


class TagCodesField(forms.Field):
    """Repeated ``?tag=PREL&tag=FR`` values as a list of upper-case codes."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        codes = [str(code).strip().upper() for code in values if str(code).strip()]
        return list(dict.fromkeys(codes))[:MAX_TAGS]


class TagsFilter(django_filters.Filter):
    """Cables carrying all the given tags (one EXISTS per tag: no joins, no duplicate rows).

    The tags' ids are looked up first (one query) and the EXISTS compare ``tag_id`` with each:
    with the code joined inside, PostgreSQL could not tell a tag of 145,000 cables from one of a
    few, guessed about a thousand, and listed ``?tag=PREL`` by sorting all of PREL's cables
    (550 ms at full scale) instead of walking the date index until 50 of them (1 ms). A code
    without a tag keeps the join (it matches nothing either way)."""

    field_class = TagCodesField

    def filter(self, qs: CableQuerySet, value: list[str]) -> CableQuerySet:
        if not value:
            return qs
        ids = dict(Tag.objects.filter(code__in=value).values_list("code", "pk"))
        for code in dict.fromkeys(value):
            if code in ids:
                qs = qs.filter(Exists(CableTag.objects.filter(cable=OuterRef("pk"), tag_id=ids[code])))
            else:
                qs = qs.for_tags([code])
        return qs


class CableFilterSet(django_filters.FilterSet):
    """The narrowing and sorting shared by every list of cables."""

    tag = TagsFilter(label="Tags")
    origin = django_filters.ChoiceFilter(
        field_name="origin__slug", choices=origin_choices, empty_label="Any origin", label="Origin"
    )
    classification = django_filters.ChoiceFilter(
        choices=Classification.choices,
        empty_label="Any classification",
        label="Classification",
    )
    since = django_filters.DateFilter(method="filter_since", label="From")
    until = django_filters.DateFilter(method="filter_until", label="To")
    sort = django_filters.ChoiceFilter(choices=SORTS, method="filter_sort", empty_label=None, label="Sort")

    class Meta:
        model = Cable
        fields: list[str] = []

    def __init__(self, *args: Any, searching: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.searching = searching
        field = self.form.fields["sort"]
        field.choices = SEARCH_SORTS if searching else SORTS
        self.filters["sort"].extra["choices"] = field.choices
        for name in ("since", "until"):
            self.form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
        # the origins as a list (one query), so that _filters.html can loop over the choices
        self.form.fields["origin"].choices = origin_choices()

    @property
    def order(self) -> str:
        """The sort asked for, when valid; relevance for searches, newest otherwise."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.form.is_valid()  # invalid fields are left out of cleaned_data
            data = getattr(self.form, "cleaned_data", {})
        return data.get("sort") or ("relevance" if self.searching else "newest")

    def filter_since(self, qs: CableQuerySet, name: str, value: Any) -> CableQuerySet:
        return qs.filter(created__gte=datetime.combine(value, time.min, tzinfo=UTC))

    def filter_until(self, qs: CableQuerySet, name: str, value: Any) -> CableQuerySet:
        return qs.filter(created__lt=datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC))

    def filter_sort(self, qs: CableQuerySet, name: str, value: str) -> CableQuerySet:
        return qs  # ordering is applied by the view, after search (see CableListView)

    def filter_queryset(self, queryset: CableQuerySet) -> CableQuerySet:
        """Narrow, then order by date (searches keep their own order, set by the view)."""
        queryset = super().filter_queryset(queryset)
        if self.order in ("newest", "oldest"):
            queryset = queryset.in_order(self.order)
        return queryset
