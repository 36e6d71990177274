"""The network rule (API.md C6): http(s) only, public addresses only (every address a name
resolves to), unless inside ``WEBHOOKS_RESEAUX_AUTORISES``."""

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError

from webhooks import reseau
from webhooks.checks import verifier_reseaux_autorises

REFUSEES = [
    ("127.0.0.1", "boucle locale"),
    ("127.8.9.10", "boucle locale"),
    ("0.0.0.0", "non spécifiée"),
    ("10.1.2.3", "privée"),
    ("172.16.0.1", "privée"),
    ("192.168.1.10", "privée"),
    ("169.254.169.254", "lien local"),
    ("100.64.0.1", "non publique"),
    ("224.0.0.1", "multidiffusion"),
    ("239.255.255.250", "multidiffusion"),
    ("240.0.0.1", "réservée"),
    ("255.255.255.255", "réservée"),
    ("192.0.2.10", "privée"),
    ("::1", "boucle locale"),
    ("::", "non spécifiée"),
    ("fe80::1", "lien local"),
    ("fc00::1", "privée"),
    ("fd12:3456::1", "privée"),
    ("fec0::1", "site local"),
    ("ff02::1", "multidiffusion"),
    ("2001:db8::1", "privée"),
    ("::ffff:127.0.0.1", "boucle locale"),
    ("::ffff:10.0.0.1", "privée"),
    ("::ffff:169.254.169.254", "lien local"),
    ("64:ff9b::7f00:1", "réservée"),
    ("2002:7f00:1::1", "privée"),
]
PUBLIQUES = ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize(("adresse", "motif"), REFUSEES)
def test_non_public_addresses_are_refused(adresse, motif, settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = []

    autorisee, pourquoi = reseau.est_autorisee(adresse)

    assert not autorisee
    assert motif in pourquoi


@pytest.mark.parametrize("adresse", PUBLIQUES)
def test_public_addresses_are_allowed(adresse, settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = []
    assert reseau.est_autorisee(adresse) == (True, None)


@pytest.mark.parametrize(
    ("reseaux", "adresse", "autorisee"),
    [
        (["127.0.0.0/8"], "127.0.0.1", True),
        (["127.0.0.0/8"], "::ffff:127.0.0.1", True),
        (["10.0.0.0/8"], "10.20.30.40", True),
        (["10.0.0.0/8"], "192.168.0.1", False),
        (["192.168.1.0/24"], "192.168.2.1", False),
        (["fd00::/8"], "fd12::1", True),
        (["fd00::/8"], "10.0.0.1", False),
        (["::1/128"], "127.0.0.1", False),
        (["pas un réseau", "10.0.0.0/8"], "10.0.0.1", True),
        (["pas un réseau"], "10.0.0.1", False),
    ],
)
def test_the_allowed_ranges_open_exactly_themselves(reseaux, adresse, autorisee, settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = reseaux
    assert reseau.est_autorisee(adresse)[0] is autorisee


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "hooks.example.com/resa",
        "//hooks.example.com/",
        "http://",
        "http:///chemin",
        "http://user:motdepasse@hooks.example.com/",
        "http://hooks.example.com:0/",
        "http://hooks.example.com:99999/",
        "http://hooks.example.com:port/",
        "http://hooks.example.com/a b",
        "http://hooks.example.com/\nHost: autre",
        "http://hooks.exa\tmple.com/",
        "http://hooks.example.com/é",
        "http://[::1/",
        "",
        "http://" + "x" * 2000 + ".com/",
        None,
        42,
    ],
)
def test_malformed_urls_are_refused_before_any_resolution(url, dns):
    with pytest.raises(ValidationError) as erreur:
        reseau.verifier_url(url)

    assert "url" in erreur.value.message_dict
    assert dns.appels == []


def test_a_url_is_parsed_into_what_the_request_uses():
    cible = reseau.analyser("HTTPS://Hooks.Example.COM./v1/recevoir?jeton=a%20b#fragment")

    assert cible == reseau.Cible("https", "hooks.example.com", 443, "/v1/recevoir?jeton=a%20b")
    assert reseau.analyser("http://[::1]:8080").chemin == "/"
    assert reseau.analyser("http://[::1]:8080").hote == "::1"
    assert reseau.analyser("http://bücher.example/").hote == "xn--bcher-kva.example"


def test_a_name_that_does_not_resolve_is_refused(dns):
    with pytest.raises(ValidationError) as erreur:
        reseau.verifier_url("https://inconnu.invalid/")

    assert "ne se résout pas" in erreur.value.message_dict["url"][0]


def test_a_name_is_refused_when_any_of_its_addresses_is(dns, settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = []
    dns.noms["mixte.example.com"] = ["93.184.216.34", "10.0.0.5"]
    dns.noms["public.example.com"] = ["93.184.216.34", "2606:4700::1111"]

    with pytest.raises(ValidationError) as erreur:
        reseau.verifier_url("https://mixte.example.com/")

    assert "10.0.0.5" in erreur.value.message_dict["url"][0]
    assert [a.ip for a in reseau.verifier_url("https://public.example.com/")] == [
        "93.184.216.34",
        "2606:4700::1111",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://127.0.0.1:8000/",
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://0x7f.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1%25eth0]/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_loopback_and_link_local_spellings_are_refused(url, settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = []
    with pytest.raises(ValidationError):
        reseau.verifier_url(url)


@pytest.mark.django_db
def test_the_system_check_reports_an_invalid_range(settings):
    settings.WEBHOOKS_RESEAUX_AUTORISES = ["10.0.0.0/8", "10.0.0.0/33"]

    erreurs = verifier_reseaux_autorises()

    assert [e.id for e in erreurs] == ["webhooks.E001"]
    assert "10.0.0.0/33" in erreurs[0].msg
    assert any(e.id == "webhooks.E001" for e in run_checks())
