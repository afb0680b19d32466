"""Models: constraints, QuerySet methods, the tag glossary migration."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cables.models import Cable, CableTag, Classification, Origin, Paragraph, Recipient, Reference, Tag

pytestmark = pytest.mark.django_db


def cable(identifier: str = "06PARIS1", **fields) -> Cable:
    now = timezone.now()
    values = {
        "identifier": identifier,
        "canonical_id": identifier,
        "classification": Classification.CONFIDENTIAL,
        "station": "PARIS",
        "format": "text",
        "content_hash": "0" * 64,
        "first_loaded_at": now,
        "loaded_at": now,
    }
    values.update(fields)
    return Cable.objects.create(**values)


def test_classifications_are_ordered_as_in_the_spec():
    assert Classification.UNCLASSIFIED < Classification.CONFIDENTIAL < Classification.SECRET_NOFORN
    assert Classification.labels == [
        "UNCLASSIFIED",
        "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        "CONFIDENTIAL",
        "CONFIDENTIAL//NOFORN",
        "SECRET",
        "SECRET//NOFORN",
    ]


def test_duplicate_identifier_is_refused():
    cable("06PARIS1")
    with pytest.raises(IntegrityError), transaction.atomic():
        cable("06PARIS1")


def test_duplicate_canonical_id_is_allowed():
    cable("06EFTOBAKU1", canonical_id="06BAKU1")
    cable("06BAKU1", canonical_id="06BAKU1")
    assert Cable.objects.filter(canonical_id="06BAKU1").count() == 2


def test_classification_outside_the_six_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        cable(classification=7)


def test_empty_identifier_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        cable("")


def test_paragraph_position_is_unique_per_cable():
    first, second = cable("06PARIS1"), cable("06PARIS2")
    Paragraph.objects.create(cable=first, position=1, text="a")
    Paragraph.objects.create(cable=second, position=1, text="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Paragraph.objects.create(cable=first, position=1, text="b")


def test_reference_position_is_unique_per_citing_cable_and_kind_is_checked():
    citing = cable()
    Reference.objects.create(
        citing=citing, position=1, text="STATE 1", kind="cable", target_identifier="06STATE1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(citing=citing, position=1, text="STATE 2", kind="cable")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.create(citing=citing, position=2, text="x", kind="rumour")


def test_recipient_position_is_unique_per_kind():
    target = cable()
    Recipient.objects.create(cable=target, kind="to", position=1, name="SECSTATE")
    Recipient.objects.create(cable=target, kind="info", position=1, name="PARIS")
    with pytest.raises(IntegrityError), transaction.atomic():
        Recipient.objects.create(cable=target, kind="to", position=1, name="BERLIN")


def test_a_tag_is_on_a_cable_once():
    target = cable()
    tag = Tag.objects.create(code="ZZTEST")
    CableTag.objects.create(cable=target, tag=tag, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CableTag.objects.create(cable=target, tag=tag, position=2)


def test_tag_and_origin_are_unique():
    Tag.objects.create(code="ZZTEST")
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(code="ZZTEST")
    Origin.objects.create(name="Embassy Paris", slug="embassy-paris")
    with pytest.raises(IntegrityError), transaction.atomic():
        Origin.objects.create(name="Embassy Paris", slug="embassy-paris-2")
    with pytest.raises(IntegrityError), transaction.atomic():
        Origin.objects.create(name="Embassy of Paris", slug="embassy-paris")


def test_glossary_migration_loaded_the_tags():
    prel = Tag.objects.get(code="PREL")
    assert prel.kind == Tag.Kind.SUBJECT
    assert prel.name
    assert Tag.objects.get(code="FR").kind == Tag.Kind.GEO
    assert Tag.objects.count() >= 1000


def test_for_tag_and_for_origin_return_each_cable_once():
    paris = Origin.objects.create(name="Embassy Paris", slug="embassy-paris")
    berlin = Origin.objects.create(name="Embassy Berlin", slug="embassy-berlin")
    one, two = cable("06PARIS1", origin=paris), cable("06BERLIN2", origin=berlin)
    prel, fr = Tag.objects.get(code="PREL"), Tag.objects.get(code="FR")
    CableTag.objects.create(cable=one, tag=prel, position=1)
    CableTag.objects.create(cable=one, tag=fr, position=2)
    CableTag.objects.create(cable=two, tag=prel, position=1)

    assert set(Cable.objects.for_tag("PREL")) == {one, two}
    assert list(Cable.objects.for_tag(fr)) == [one]
    assert list(Cable.objects.for_origin("embassy-berlin")) == [two]
    assert list(Cable.objects.for_origin(paris).for_tag("PREL")) == [one]
    assert list(Cable.objects.for_classification(Classification.SECRET)) == []


def test_str_and_absolute_url():
    target = cable("06PARIS6189")
    assert str(target) == "06PARIS6189"
    assert target.get_absolute_url() == "/cables/06PARIS6189/"
