"""Throttling of admin login failures.

Failed logins are counted per client address and per username in the shared cache (the
database cache, so every gunicorn worker sees the same counts). Past the limit, the login page
answers 429 until the window has passed; a successful login clears the username's count.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]
    return f"login-failures:{kind}:{digest}"


def _client_address(request: HttpRequest) -> str:
    # Behind the documented proxy setup gunicorn puts the client in REMOTE_ADDR
    # (forwarded_allow_ips); never trust a raw X-Forwarded-For here.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def login_failures(request: HttpRequest, username: str) -> int:
    keys = [_key("ip", _client_address(request)), _key("user", username.lower())]
    counts = cache.get_many(keys)
    return max(counts.values(), default=0)


def _record_failure(request: HttpRequest, username: str) -> None:
    window = settings.CABLES_LOGIN_FAILURE_WINDOW
    for key in (_key("ip", _client_address(request)), _key("user", username.lower())):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window)


@sensitive_post_parameters()
@csrf_protect
@never_cache
def throttled_admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin login view, refusing further attempts after too many failures."""
    username = request.POST.get("username", "") if request.method == "POST" else ""
    if request.method == "POST" and login_failures(request, username) >= settings.CABLES_LOGIN_FAILURE_LIMIT:
        return TemplateResponse(
            request,
            "429.html",
            {"retry_minutes": max(1, settings.CABLES_LOGIN_FAILURE_WINDOW // 60)},
            status=429,
        )
    response = admin.site.login(request, extra_context)
    if request.method == "POST":
        if request.user.is_authenticated:
            cache.delete(_key("user", username.lower()))
        else:
            _record_failure(request, username)
    return response
