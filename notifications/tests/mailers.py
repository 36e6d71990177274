"""Mailers for the tests (``override_settings(MAILERS={"default": {"BACKEND": ...}})``)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

MSG_PANNE = "Serveur de messagerie injoignable"


class EnPanne(LocmemBackend):
    """Every send fails, as a mail server that refuses the connection would."""

    tentatives = 0

    def send_messages(self, messages):
        type(self).tentatives += len(messages)
        raise smtplib.SMTPServerDisconnected(MSG_PANNE)


class InjoignableALOuverture(LocmemBackend):
    """The connection itself cannot be opened."""

    def open(self):
        raise ConnectionRefusedError(MSG_PANNE)


class RienAccepte(LocmemBackend):
    """Answers without an error but accepts nothing (a backend with ``fail_silently``)."""

    def send_messages(self, messages):
        return 0
