"""The chat-identity helpers the Teams adapter uses, on SQLite and PostgreSQL: linking, the most recent account
of a person, the latest stored reference, and forgetting a conversation on uninstall."""

from __future__ import annotations

from sqlmodel import select

from handlers.context import Context
from storage.people import by_email, forget_conversation, identity_on, latest_conversation_ref, link_identity
from storage.tables import ChatIdentity
from tests.conftest import seed_basic


def test_identity_helpers(any_ctx: Context) -> None:
    seed_basic(any_ctx)
    with any_ctx.session() as session:
        td = by_email(session, "td@a.k12.al.us")
        assert td is not None and td.id is not None
        assert identity_on(session, td.id, "teams") is None and latest_conversation_ref(session, "teams") is None
        link_identity(session, td, "teams", "aad-1", tenant_id="t1", conversation_ref='{"serviceUrl": "https://a/"}')
        session.commit()
        link_identity(session, td, "teams", "aad-2", tenant_id="t1")
        session.commit()
        newest = identity_on(session, td.id, "teams")
        assert newest is not None and newest.external_id == "aad-2"
        assert latest_conversation_ref(session, "teams") == '{"serviceUrl": "https://a/"}'
        assert forget_conversation(session, "teams", "aad-1", keep='{"serviceUrl": "https://b/"}') is True
        session.commit()
        assert forget_conversation(session, "teams", "aad-1", keep='{"serviceUrl": "https://b/"}') is False
        assert forget_conversation(session, "teams", "nobody") is False
        assert forget_conversation(session, "teams", "aad-1") is True
        session.commit()
        rows = session.exec(select(ChatIdentity).order_by(ChatIdentity.external_id)).all()
        assert [(r.external_id, r.conversation_ref, r.person_id) for r in rows] == [
            ("aad-1", None, td.id),
            ("aad-2", None, td.id),
        ]
