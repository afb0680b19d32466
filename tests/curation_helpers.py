"""Helpers shared by the curation tests (admin, upload, versions): users and real cable files."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
UPLOAD_URL = "/admin/cables/cable/upload/"


def corpus_file(relative: str) -> Path:
    """A real cable of the shared corpus, read at test time (never copied into the repo)."""
    path = CORPUS_DIR / relative
    if not path.is_file():
        pytest.skip(f"{path} is missing")
    return path


def make_staff(username: str, *, perms: tuple[str, ...] = ()) -> User:
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # fresh permission cache


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()
