"""The portal's shell: reachable without a staff login, its own layout, and the display preferences
(长辈版, high contrast) switched by a plain form and remembered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from huican.portal import preferences

pytestmark = pytest.mark.django_db


def test_home_needs_no_login_and_uses_the_portal_layout(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "忻州市残疾人服务" in page and 'lang="zh-CN"' in page
    assert "退出登录" not in page and "css/huican.css" not in page  # never the staff layout
    assert 'class="portal "' in page or 'class="portal"' in page


def test_preferences_are_switched_remembered_and_switched_back(client):
    response = client.post(reverse("portal:preferences"), {"toggle": "elder", "next": "/portal/"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert response.cookies[preferences.COOKIE].value == "elder"
    page = client.get(reverse("portal:home")).content.decode()
    assert 'class="portal elder"' in page
    assert '<html lang="zh-CN" class="elder">' in page  # every rem grows in 长辈版
    assert 'value="elder" class="portal-button portal-button--quiet" aria-pressed="true"' in page

    client.post(reverse("portal:preferences"), {"toggle": "contrast", "next": "/portal/"})
    assert 'class="portal elder contrast"' in client.get(reverse("portal:home")).content.decode()
    client.post(reverse("portal:preferences"), {"toggle": "elder", "next": "/portal/"})
    assert 'class="portal contrast"' in client.get(reverse("portal:home")).content.decode()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/monitoring/", ""])
def test_preferences_only_go_back_to_a_portal_page(client, target):
    response = client.post(reverse("portal:preferences"), {"toggle": "elder", "next": target})
    assert response["Location"] == "/portal/"


def test_preferences_need_post(client):
    assert client.get(reverse("portal:preferences")).status_code == 405


@pytest.mark.parametrize("name", ["portal:home", "portal:selfcheck"])
def test_every_portal_page_has_the_landmarks_and_needs_no_script(client, name):
    page = client.get(reverse(name)).content.decode()
    assert '<a class="skip-link" href="#main">' in page and '<main id="main"' in page
    assert '<nav class="portal-nav" aria-label="服务导航">' in page and "<footer" in page
    assert "<script" not in page and "css/portal.css" in page


def test_preferences_from_the_self_check_come_back_to_it(client):
    response = client.post(
        reverse("portal:preferences"), {"toggle": "contrast", "next": "/portal/self-check/"}
    )
    assert response["Location"] == "/portal/self-check/"
    assert 'class="portal contrast"' in client.get(reverse("portal:selfcheck")).content.decode()
