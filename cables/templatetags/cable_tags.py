"""Template tags for cable pages: REF mentions linked inside paragraph text, badges.

Cable text is untrusted: every piece of it is escaped, and only our own ``<a>``/``<span>`` tags
are added around escaped text with ``format_html``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from html import escape as _html_escape
from itertools import chain
from typing import Any
from urllib.parse import quote_plus

from django import forms, template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import join as join_filter
from django.template.defaultfilters import urlencode as urlencode_filter
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from cables.converters import CableIdentifierConverter
from cables.models import Classification

register = template.Library()

# "REF A", "REFTEL B", "REFS A AND B", "REF (C)", "Ref A", and a bare "REFTEL"/"REF".
_LABEL = r"\(?[A-Z]\)?(?![A-Za-z0-9])"
_MENTION_RE = re.compile(
    rf"\b(?i:REF(?:TELS?|S)?)\b(?P<labels>\s+{_LABEL}(?:(?:\s*,\s*|\s+(?i:AND)\s+|\s*&\s*){_LABEL})*)?"
)
_LABEL_RE = re.compile(r"\(?([A-Z])\)?")


@register.filter(is_safe=True)
def link_refs(text: str, links: Mapping[str, str | None] | None) -> SafeString:
    """``text`` escaped, with REF mentions linked to the cited cables.

    ``links`` maps a REF label (``"A"``) to the cited cable's URL, and ``""`` to the URL of the
    only cited cable, which a bare "REFTEL" means. Mentions of labels without a URL stay text.
    """
    text = str(text)
    links = links or {}
    if not any(links.values()):
        return conditional_escape(text)
    out: list[str] = []
    cursor = 0
    for match in _MENTION_RE.finditer(text):
        labels_text = match.group("labels")
        if not labels_text:
            url = links.get("")
            if url:
                out.append(conditional_escape(text[cursor : match.start()]))
                out.append(format_html('<a class="ref-mention" href="{}">{}</a>', url, match.group(0)))
                cursor = match.end()
            continue
        base = match.start("labels")
        for index, label in enumerate(_LABEL_RE.finditer(labels_text)):
            url = links.get(label.group(1))
            start = match.start() if index == 0 else base + label.start()
            end = base + label.end()
            if not url:
                continue
            out.append(conditional_escape(text[cursor:start]))
            out.append(format_html('<a class="ref-mention" href="{}">{}</a>', url, text[start:end]))
            cursor = end
    out.append(conditional_escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of cable text above is escaped


@register.simple_tag
def classification_badge(value: int | None) -> SafeString:
    """The classification as a coloured badge (``.badge.cls-1`` .. ``cls-6``)."""
    try:
        label = Classification(value).label
    except ValueError:
        return format_html('<span class="badge">{}</span>', "unknown")
    return format_html('<span class="badge cls-{}">{}</span>', int(value), label)


@register.simple_tag
def marking_badge(marking: str | None) -> SafeString:
    """A paragraph's portion marking (``C``, ``S//NF``, ``SBU``) as a small badge."""
    return mark_safe(_marking_badge(marking)) if marking else mark_safe("")  # noqa: S308 - escaped


@lru_cache(maxsize=256)
def _marking_badge(marking: str) -> str:
    """The badge of one marking: a few dozen markings recur on every page."""
    code = marking.upper()
    if code.startswith("SBU"):
        kind = "m-sbu"
    elif code.startswith("U"):
        kind = "m-u"
    elif code.startswith("S"):
        kind = "m-s"
    else:
        kind = "m-c"
    return f'<span class="marking {kind}" title="Portion marking">{escape_html(marking)}</span>'


@register.filter
def anchor(paragraph: object) -> str:
    """A paragraph's fragment id: ``p3`` for paragraph 3, ``p-5`` for the 5th unnumbered one."""
    number = getattr(paragraph, "number", None)
    return f"p{number}" if number is not None else f"p-{getattr(paragraph, 'position', 0)}"


@register.filter
def thousands(value: int | None) -> str:
    """``251287`` -> ``251,287``."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""


# A line break inside running prose: after a non-blank character, before a line that does not
# start a list item ("-- ", "(a)", "A.", "1)"), a heading rule or an indented block.
_SOFT_BREAK_RE = re.compile(r"(?<=\S)\n(?![\s\-*•(\[]|[A-Za-z0-9]{1,3}[.)]\s)")


@register.filter(is_safe=True)
def soft_breaks(html: str) -> SafeString:
    """Mark the telegram's line breaks inside prose as soft (``<span class="eol">``).

    Wide screens keep the telegram's line layout (the span keeps ``white-space: pre-wrap``);
    narrow screens let those breaks collapse into spaces so the prose reflows instead of
    wrapping every 65-column line into a ragged pair. Takes already-escaped HTML (the output
    of ``link_refs``); only newlines between tags are touched, never markup.
    """
    return mark_safe(_SOFT_BREAK_RE.sub('<span class="eol">\n</span>', str(html)))  # noqa: S308 - input is escaped HTML


@register.simple_tag
def cable_row(cable: Any) -> SafeString:
    """One row of a cable list: exactly what ``cables/includes/_cable_row.html`` renders, built in
    Python. A list page renders 50 of them; through the template they were most of its time
    (about 1 ms a row of template nodes, URL reversing and filters). Every value is escaped here
    as the template escaped it (``conditional_escape``, as ``{{ }}`` does), the URLs come from
    prefixes reversed once and the dates are formatted as the ``date`` filter's ``c`` and
    ``j M Y`` do; ``test_cable_row_tag_renders_the_row_template`` holds the two to the same
    bytes."""
    url = cable_page_url(cable.identifier)
    created = cable.created
    if created:
        created_html = f'<time datetime="{date_html(created, "c")}">{date_html(created, "j M Y")}</time>'
    else:
        created_html = "<span>undated</span>"
    origin = cable.origin
    if origin:
        origin_html = f'<a href="{escape_html(origin_url(origin.slug))}">{escape_html(origin.name)}</a>'
    elif cable.station:
        origin_html = f"<span>{escape_html(cable.station)}</span>"
    else:
        origin_html = ""
    snippets = "".join(
        format_html(
            '\n  <p class="snippet"><a href="{}#{}">&para;{}</a> {}</p>\n  ',
            url,
            snippet.anchor,
            "" if snippet.number is None else snippet.number,
            snippet.html,
        )
        for snippet in getattr(cable, "snippets", None) or ()
    )
    subject = escape_html(cable.subject) if cable.subject else "(no subject)"
    badge = _BADGES.get(cable.classification) or classification_badge(cable.classification)
    return mark_safe(  # noqa: S308 - every value escaped above, snippets built by format_html
        f'<li class="cable-row">\n  <div class="ident-col">\n    <a class="ident" href="{escape_html(url)}">'
        f'{escape_html(cable.identifier)}</a>\n  </div>\n  <div class="meta">\n    {created_html}\n'
        f"    {origin_html}\n    {badge}\n    "
        f"{_PARTIAL if cable.is_partial else ''}\n  </div>\n"
        f'  <div class="subject">{subject}</div>'
        f"\n  {snippets}\n</li>\n"
    )


_BADGES = {value: classification_badge(value) for value in Classification.values}
_PARTIAL = '<span class="muted">partial text</span>'


def escape_html(value: Any) -> str:
    """``conditional_escape(value)`` (what ``{{ value }}`` does) without the lazy-argument check
    of Django's ``escape``: a row escapes half a dozen values, a cable page dozens."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def date_html(value: Any, fmt: str) -> str:
    """``{{ value|date:fmt }}`` (escaped): the formats of the cable page and the list rows as the
    ``date`` filter writes them (``c``, ``j F Y``, ``j M Y``, ``j F Y, H:i``; the filter cost a
    cable page 0.3 ms), others by the filter itself."""
    local = template_localtime(value)
    if fmt == "c":
        text = local.isoformat()
    elif fmt in _DAY_MONTH_YEAR:
        month = MONTHS[local.month] if fmt[2] == "F" else MONTHS_3[local.month].title()
        text = f"{local.day} {month} {local.year:04d}"
        if fmt.endswith("H:i"):
            text += f", {local.hour:02d}:{local.minute:02d}"
    else:
        text = date_filter(local, fmt)
    return escape_html(text)


_DAY_MONTH_YEAR = {"j F Y", "j M Y", "j F Y, H:i"}


_IDENTIFIER_RE = re.compile(CableIdentifierConverter.regex)


def cable_url(identifier: str, route: str = "cables:cable-detail") -> str | None:
    """The page of a cable id (loaded or only cited), or another of its ``route``s (``.txt``,
    ``.json``, history), as ``reverse`` makes it, or None if the URL converter does not take the
    id: the reversed URL around the id, reversed once per route, script prefix and URLconf (a
    list page links 50 cables, a cable page all its references)."""
    if identifier and _IDENTIFIER_RE.fullmatch(identifier):
        head, tail = _cable_url_parts(get_script_prefix(), get_urlconf(), route)
        return f"{head}{identifier}{tail}"
    return None


def cable_page_url(identifier: str) -> str:
    """``cable.get_absolute_url()``: ``cable_url``, or ``reverse`` for an id it does not take."""
    return cable_url(identifier) or reverse("cables:cable-detail", kwargs={"identifier": identifier})


@lru_cache(maxsize=64)
def _cable_url_parts(prefix: str, urlconf: str | None, route: str) -> tuple[str, str]:
    """A cable route's URL before and after the identifier, per script prefix and URLconf."""
    head, _, tail = reverse(route, kwargs={"identifier": "00X"}).rpartition("00X")
    return head, tail


def origin_url(slug: str) -> str:
    """An origin's page, as ``reverse`` makes it."""
    return _origin_url(get_script_prefix(), slug)


@lru_cache(maxsize=4096)
def _origin_url(prefix: str, slug: str) -> str:
    """An origin's URL (a few hundred origins, each on many rows), per script prefix."""
    return reverse("cables:origin-detail", args=[slug])


def tag_url(code: str) -> str:
    """A tag's page, as ``reverse`` makes it."""
    return _tag_url(get_script_prefix(), get_urlconf(), code)


@lru_cache(maxsize=4096)
def _tag_url(prefix: str, urlconf: str | None, code: str) -> str:
    return reverse("cables:tag-detail", args=[code])


def classification_url(value: int) -> str:
    """A classification's page, as ``reverse`` makes it."""
    return _classification_url(get_script_prefix(), get_urlconf(), value)


@lru_cache(maxsize=64)
def _classification_url(prefix: str, urlconf: str | None, value: int) -> str:
    return reverse("cables:classification-detail", args=[value])


# --- the parts of a list page around its rows ------------------------------------------------
#
# The filter form, the facets, the pagination and the results-over-time chart of a cable list,
# built in Python as ``cable_row`` builds a row: through their templates (``{% include %}`` of
# ``cables/includes/_filters.html`` etc., Django's form widget templates, ``{% querystring %}``
# for every link) they were about 60 ms of a deep PREL page. Each function returns exactly what
# its template renders, escaped as the template escaped it; ``tests/test_list_render.py`` holds
# each to its template on varied and hostile inputs. The templates stay, as that reference.


class QueryStrings:
    """``{% querystring key=value ... %}`` for one query string (``request.GET``), which is
    encoded once: a results page makes a hundred links from it (facets, chart bars, pages), and
    Django's tag copies and encodes the whole query string for each (60 us a link). The same
    string as the tag, not yet escaped: ``None`` drops a key, a list sets all its values (its
    ``None`` left out), anything else one value; changed keys keep their place, new ones go last.
    """

    __slots__ = ("base", "encoding")

    def __init__(self, get: Any) -> None:
        self.encoding = get.encoding
        self.base = {key: [self.pair(key, value) for value in values] for key, values in get.lists()}

    def pair(self, key: str, value: Any) -> str:
        return f"{quote_plus(key.encode(self.encoding))}={quote_plus(str(value).encode(self.encoding))}"

    def __call__(self, **kwargs: Any) -> str:
        params = dict(self.base)
        for key, value in kwargs.items():
            if value is None:
                params.pop(key, None)
            elif isinstance(value, Iterable) and not isinstance(value, str):
                params[key] = [self.pair(key, item) for item in value if item is not None]
            else:
                params[key] = [self.pair(key, value)]
        return "?" + "&".join(chain.from_iterable(params.values()))


def _querystring(request: Any, **kwargs: Any) -> str:
    """``{% querystring key=value ... %}`` of ``request``, not yet escaped (``QueryStrings``,
    made once per request)."""
    get = request.GET
    made = getattr(request, "_cable_querystrings", None)
    if made is None or made[0] is not get:
        made = (get, QueryStrings(get))
        request._cable_querystrings = made
    return made[1](**kwargs)


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: `` name="value"``, a bare `` name`` for True, none for
    False."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


# input widgets whose template is django/forms/widgets/input.html as it is
_INPUT_TEMPLATES = frozenset(
    {"django/forms/widgets/input.html", "django/forms/widgets/date.html", "django/forms/widgets/text.html"}
)


def widget_html(bound_field: Any) -> SafeString:
    """``{{ form.field }}`` for the filters' widgets (a single ``Select`` or an ``Input``) without
    the widget templates: the same attributes (``id``, ``aria-invalid`` and ``aria-describedby``
    on an error), value and selected option. Any other widget renders through its template."""
    widget = bound_field.field.widget
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    attrs = widget.build_attrs(widget.attrs, attrs)
    value = widget.format_value(bound_field.value())
    name = bound_field.html_name
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        options: list[str] = []
        has_selected = False
        for option_value, label in widget.choices:
            if isinstance(label, list | tuple):  # option groups: not in these forms
                return bound_field.as_widget()
            option_value = "" if option_value is None else option_value
            selected = not has_selected and str(option_value) in value
            has_selected |= selected
            options.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',  # the option template ends a line
                    option_value,
                    mark_safe(" selected") if selected else "",
                    label,
                )
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            name,
            mark_safe(_attrs_html(attrs)),  # noqa: S308 - built by format_html
            mark_safe("".join(options)),  # noqa: S308 - built by format_html
        )
    if isinstance(widget, forms.widgets.Input) and widget.template_name in _INPUT_TEMPLATES:
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget.input_type,
            name,
            format_html(' value="{}"', value) if value is not None else "",
            mark_safe(_attrs_html(attrs)),  # noqa: S308 - built by format_html
        )
    return bound_field.as_widget()


@register.simple_tag
def filters_html(
    form: Any, q: str, fixed_filters: Any, selected_tags: list[dict[str, Any]], request: Any
) -> SafeString:
    """Exactly what ``cables/includes/_filters.html`` renders (the "Narrow this list" form)."""
    out = [
        '<form class="filters" method="get" action="" aria-labelledby="filters-title">\n'
        '  <h2 id="filters-title" class="filters-title">Narrow this list</h2>\n  '
    ]
    if q:
        out.append(format_html('<input type="hidden" name="q" value="{}">', q))
    out.append("\n  ")
    if "tag" not in fixed_filters:
        out.append("\n  <fieldset>\n    <legend>Tags (all must match)</legend>\n    ")
        if selected_tags:
            out.append('\n    <ul class="tag-list chosen">\n      ')
            for item in selected_tags:
                code = item["code"]
                out.append(
                    format_html(
                        '\n      <li><input type="hidden" name="tag" value="{}"><span class="chip">{} '
                        '<a href="{}" aria-label="Remove tag {}">&times;</a></span></li>\n      ',
                        code,
                        code,
                        _querystring(request, tag=item["remaining"], page=None),
                        code,
                    )
                )
            out.append("\n    </ul>\n    ")
        out.append(
            '\n    <label for="id_tag_add" class="visually-hidden">Add a tag</label>\n'
            '    <input type="text" id="id_tag_add" name="tag" placeholder="Add a tag, e.g. PREL"'
            ' autocomplete="off">\n  </fieldset>\n  '
        )
    else:
        out.append("\n  ")
        out.extend(
            format_html('<input type="hidden" name="tag" value="{}">', item["code"]) for item in selected_tags
        )
        out.append("\n  ")
    out.append("\n  ")
    if "origin" not in fixed_filters:
        origin = form["origin"]
        current = origin.value() or ""
        field_id = origin.id_for_label
        options = _origin_options(tuple(form.fields["origin"].choices), current)
        out.append(
            format_html(
                '\n  \n  \n  <p><label for="{}">Origin</label><br>'
                '<select name="origin" id="{}">{}</select></p>'
                "\n  \n  ",
                field_id,
                field_id,
                mark_safe(options),  # noqa: S308 - built by format_html
            )
        )
    out.append("\n  ")
    if "classification" not in fixed_filters:
        field = form["classification"]
        out.append(
            format_html(
                '\n  <p><label for="{}">Classification</label><br>{}</p>\n  ',
                field.id_for_label,
                widget_html(field),
            )
        )
    out.append("\n  ")
    if "since" not in fixed_filters:
        since, until = form["since"], form["until"]
        out.append(
            format_html(
                "\n  <fieldset>\n    <legend>Date (UTC)</legend>\n"
                '    <p><label for="{}">From</label><br>{}</p>'
                '\n    <p><label for="{}">To</label><br>{}</p>\n  </fieldset>\n  ',
                since.id_for_label,
                widget_html(since),
                until.id_for_label,
                widget_html(until),
            )
        )
    sort = form["sort"]
    out.append(
        format_html('\n  <p><label for="{}">Sort</label><br>{}</p>\n  ', sort.id_for_label, widget_html(sort))
    )
    if form.errors:
        out.append('<div class="form-errors" role="alert">')
        out.extend(
            format_html("<p>{}: {}</p>", name, join_filter(errors, " "))
            for name, errors in form.errors.items()
        )
        out.append("</div>")
    out.append(
        format_html(
            '\n  <p><button type="submit">Apply</button> <a href="?{}">Clear</a></p>\n</form>\n',
            format_html("q={}", urlencode_filter(q)) if q else "",
        )
    )
    return mark_safe("".join(out))  # noqa: S308 - every part built by format_html above


def _origin_options(choices: tuple[tuple[Any, Any], ...], current: Any) -> str:
    """The ``<option>``s of the origin select (every origin, 250-odd), ``current`` selected."""
    plain, where = _plain_options(choices)
    if isinstance(current, str):
        chosen = where.get(current, [])
    else:  # compared to every value, as the template does
        chosen = [i for i, (value, _label) in enumerate(choices) if value == current]
    if not chosen:
        return plain[-1]
    options = list(plain[:-1])
    for i in chosen:
        value, label = choices[i]
        options[i] = format_html('<option value="{}" selected>{}</option>', value, label)
    return "".join(options)


@lru_cache(maxsize=8)
def _plain_options(choices: tuple[tuple[Any, Any], ...]) -> tuple[tuple[str, ...], dict[str, list[int]]]:
    """(each option unselected, then all of them joined; value -> its indexes), per list of
    choices: the origins change only with a load or an admin edit."""
    options = [format_html('<option value="{}">{}</option>', value, label) for value, label in choices]
    where: dict[str, list[int]] = {}
    for i, (value, _label) in enumerate(choices):
        if isinstance(value, str):
            where.setdefault(value, []).append(i)
    return (*options, "".join(options)), where


@register.simple_tag
def facets_html(facets: list[dict[str, Any]], request: Any) -> SafeString:
    """Exactly what ``cables/includes/_facets.html`` renders (a search's "Narrow the results")."""
    out = [
        '<section class="facets" aria-labelledby="facets-title">\n'
        '  <h2 id="facets-title">Narrow the results</h2>\n  '
    ]
    for group in facets:
        values = group["values"]
        if not values:
            continue
        name = group["name"]
        out.append(format_html('\n  <h3>{}</h3>\n  <ul class="facet">\n    ', group["title"]))
        for value in values:
            if name == "year":
                href = _querystring(request, since=value["since"], until=value["until"], page=None)
                link = f'<a href="{escape_html(href)}">{escape_html(value["label"])}</a>'
            else:
                param = "classification" if name not in ("tag", "origin") else name
                href = _querystring(request, **{param: value["param"]}, page=None)
                current = ' aria-current="true"' if value.get("selected") else ""
                description = value.get("description") if name == "tag" else ""
                title = f' title="{escape_html(description)}"' if description else ""
                link = f'<a href="{escape_html(href)}"{current}{title}>{escape_html(value["label"])}</a>'
            out.append(
                f"\n    <li>\n      \n      {link}\n      \n"
                f'      <span class="count">{"at least " if value.get("at_least") else ""}'
                f"{escape_html(thousands(value['count']))}</span>\n    </li>\n    "
            )
        out.append("\n  </ul>\n  ")
    out.append("\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


@register.simple_tag
def pagination_html(page_obj: Any, request: Any) -> SafeString:
    """Exactly what ``cables/includes/_pagination.html`` renders."""
    paginator = page_obj.paginator
    if not paginator.num_pages > 1:
        return mark_safe("\n")
    capped = getattr(paginator, "capped", False)
    out = ['\n<nav class="pagination" aria-label="Pages">\n  ']
    if page_obj.has_previous():
        out.append(
            format_html(
                '\n  <a href="{}">First</a>\n  <a rel="prev" href="{}">Previous</a>\n  ',
                _querystring(request, page=1),
                _querystring(request, page=page_obj.previous_page_number()),
            )
        )
    out.append(
        format_html(
            "\n  <span>Page {} of {}{}</span>\n  ",
            page_obj.number,
            paginator.num_pages,
            "+" if capped else "",
        )
    )
    if page_obj.has_next():
        out.append(
            format_html(
                '\n  <a rel="next" href="{}">Next</a>\n  {}\n  ',
                _querystring(request, page=page_obj.next_page_number()),
                ""
                if capped
                else format_html('<a href="{}">Last</a>', _querystring(request, page=paginator.num_pages)),
            )
        )
    out.append("\n</nav>\n\n")
    return mark_safe("".join(out))  # noqa: S308 - every part built by format_html above


def _ymd(value: Any) -> str:
    """``value|date:'Y-m-d'`` (a chart's bars carry dates)."""
    if type(value) is date:
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return date_filter(value, "Y-m-d")


@register.simple_tag
def results_timeline_html(chart: Mapping[str, Any], request: Any) -> SafeString:
    """Exactly what ``cables/includes/_results_timeline.html`` renders (results over time)."""
    unit = chart["unit"]
    bars = chart["bars"]
    out = [
        format_html(
            '<section class="timeline-box results-timeline" aria-labelledby="results-timeline-title">\n'
            '  <h3 id="results-timeline-title" class="results-timeline-title">Results over time '
            '<span class="muted">(per {}; a bar narrows the list to its {})</span></h3>\n'
            '  <ul class="timeline">\n    ',
            unit,
            unit,
        )
    ]
    for bar in bars:
        count = bar["count"]
        if count:
            plural = "" if count == 1 else "s"
            text = f"{escape_html(bar['name'])}: {escape_html(thousands(count))} cable{plural}"
            href = _querystring(request, since=_ymd(bar["since"]), until=_ymd(bar["until"]), page=None)
            link = f'<a href="{escape_html(href)}" title="{text}">'
            inner = f'{link}<span class="visually-hidden">{text}</span></a>'
        else:
            inner = f'<span class="visually-hidden">{escape_html(bar["name"])}: no cables</span>'
        out.append(f'\n    <li class="h-{escape_html(bar["step"])}">{inner}</li>\n    ')
    first = bars[0] if bars else {}
    last = bars[-1] if bars else {}
    first_label, last_label = first.get("label", ""), last.get("label", "")
    out.append(
        format_html(
            '\n  </ul>\n  <div class="timeline-labels" aria-hidden="true">'
            "<span>{}</span>{}</div>\n</section>\n",
            first_label,
            format_html("<span>{}</span>", last_label) if first_label != last_label else "",
        )
    )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
