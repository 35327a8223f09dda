"""Writes on tickets. (Being written: the signatures below are the interface.)"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Requester:
    """A company user as a ticket remembers them (the user may be deleted later)."""

    user_id: int
    email: str
    name: str

    @classmethod
    def of(cls, user) -> "Requester":
        return cls(user_id=user.pk, email=user.email, name=user.get_full_name() or user.email)


def ticket_open(
    *,
    company,
    requester: Requester,
    subject: str,
    body: str,
    category: str,
    priority: str = "normal",
    module: str = "",
    source: str = "web",
    attachments=(),
):
    """Open a ticket with its first message; e-mails the support address on commit."""
    raise NotImplementedError
