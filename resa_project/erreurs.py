"""Domain errors: raised by services, turned into the contract's JSON by one handler."""


class ErreurDomaine(Exception):
    """A rule of the domain refused an action. ``status_code`` is what the API answers."""

    status_code = 409
    code = "conflit"
    detail = "Action impossible dans l'état actuel."

    def __init__(self, detail=None, **donnees):
        self.detail = detail or self.detail
        self.donnees = donnees
        super().__init__(self.detail)


class ConflitEtat(ErreurDomaine):
    """The object's state does not allow the action (already cancelled, still referenced...)."""

    code = "etat_incompatible"
