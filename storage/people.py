"""Roster queries: people by e-mail or chat identity, roles, and linking chat accounts to people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from storage.tables import ChatIdentity, Person

ROLES = ("director", "sde", "reviewer", "admin")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def roles_from(text: str) -> frozenset[str]:
    """The roles a `roles` column holds (`sde;admin`); none written means a director."""
    return frozenset(r for r in text.split(";") if r) or frozenset({"director"})


def roles_of(person: Person) -> frozenset[str]:
    return roles_from(person.roles)


def is_director(person: Person) -> bool:
    return "director" in roles_of(person)


def by_email(session: Session, email: str) -> Person | None:
    return session.exec(select(Person).where(Person.email == normalise_email(email))).first()


def by_identity(session: Session, platform: str, external_id: str) -> Person | None:
    return session.exec(
        select(Person)
        .join(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
        .where(ChatIdentity.platform == platform, ChatIdentity.external_id == external_id)
    ).first()


@dataclass(frozen=True)
class Seen:
    """What is stored of a chat account's last sighting."""

    tenant_id: str | None
    updated_at: datetime | None
    conversation_ref: str | None


_CALLER_SEEN = (
    select(
        col(Person.id),
        col(Person.email),
        col(Person.name),
        col(Person.roles),
        col(ChatIdentity.tenant_id),
        col(ChatIdentity.updated_at),
        col(ChatIdentity.conversation_ref),
    )
    .join(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
    .where(col(ChatIdentity.platform) == bindparam("platform"), col(ChatIdentity.external_id) == bindparam("user"))
    .where(col(Person.active).is_(True))
)


def active_caller_seen(
    session: Session, platform: str, external_id: str
) -> tuple[tuple[int, str, str, frozenset[str]], Seen] | None:
    """(id, e-mail, name, roles) of the active person behind a chat account and what is stored of the account's
    last sighting, in one query, without loading the ORM object."""
    row = session.connection().execute(_CALLER_SEEN, {"platform": platform, "user": external_id}).first()
    if row is None:
        return None
    return (int(row[0] or 0), str(row[1]), str(row[2]), roles_from(str(row[3]))), Seen(row[4], row[5], row[6])


def identity(session: Session, platform: str, external_id: str) -> ChatIdentity | None:
    return session.exec(
        select(ChatIdentity).where(ChatIdentity.platform == platform, ChatIdentity.external_id == external_id)
    ).first()


def identities_of(session: Session, person_id: int) -> list[ChatIdentity]:
    return list(session.exec(select(ChatIdentity).where(ChatIdentity.person_id == person_id)).all())


def link_identity(
    session: Session,
    person: Person,
    platform: str,
    external_id: str,
    *,
    tenant_id: str | None = None,
    dm_channel: str | None = None,
    conversation_ref: str | None = None,
) -> ChatIdentity:
    """Create or refresh the chat account of `person` (idempotent); the caller commits."""
    assert person.id is not None
    row = identity(session, platform, external_id)
    if row is None:
        row = ChatIdentity(person_id=person.id, platform=platform, external_id=external_id)
    row.person_id = person.id
    if tenant_id is not None:
        row.tenant_id = tenant_id
    if dm_channel is not None:
        row.dm_channel = dm_channel
    if conversation_ref is not None:
        row.conversation_ref = conversation_ref
    row.updated_at = datetime.now(UTC)
    session.add(row)
    return row


def forget_conversation(session: Session, platform: str, external_id: str, *, keep: str | None = None) -> bool:
    """Drop the stored conversation of a chat account (the app was uninstalled); the account stays linked to its
    person. `keep` replaces the reference (Teams keeps only its Bot Connector address, to open a new chat later).
    True when something changed; the caller commits."""
    row = identity(session, platform, external_id)
    if row is None or (row.conversation_ref == keep and row.dm_channel is None):
        return False
    row.conversation_ref = keep
    row.dm_channel = None
    row.updated_at = datetime.now(UTC)
    session.add(row)
    return True


def identity_on(session: Session, person_id: int, platform: str) -> ChatIdentity | None:
    """A person's account on a platform (the most recently seen one when there are several)."""
    return session.exec(
        select(ChatIdentity)
        .where(ChatIdentity.person_id == person_id, ChatIdentity.platform == platform)
        .order_by(col(ChatIdentity.updated_at).desc().nulls_last(), col(ChatIdentity.id).desc())
    ).first()


def latest_conversation_ref(session: Session, platform: str) -> str | None:
    """The most recently stored conversation reference on a platform (Teams: where its Bot Connector lives)."""
    return session.exec(
        select(ChatIdentity.conversation_ref)
        .where(ChatIdentity.platform == platform, col(ChatIdentity.conversation_ref).is_not(None))
        .order_by(col(ChatIdentity.updated_at).desc().nulls_last(), col(ChatIdentity.id).desc())
    ).first()


STAFF_ROLES = frozenset({"reviewer", "sde", "admin"})


def accounts_on(session: Session, platform: str, person_id: int | None) -> list[tuple[Person, str]]:
    """(person, external id) of each account on `platform` of active people: `person_id`'s, or (None) every
    reviewer's, SDE's and admin's (a Home to publish again when the review queue changed)."""
    query = (
        select(Person, ChatIdentity.external_id)
        .join(ChatIdentity, col(ChatIdentity.person_id) == col(Person.id))
        .where(ChatIdentity.platform == platform, col(Person.active).is_(True))
        .order_by(col(Person.id), col(ChatIdentity.external_id))
    )
    if person_id is not None:
        query = query.where(Person.id == person_id)
    rows = [(p, str(uid)) for p, uid in session.exec(query).all()]
    return rows if person_id is not None else [(p, uid) for p, uid in rows if roles_of(p) & STAFF_ROLES]
