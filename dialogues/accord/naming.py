"""How the séance card and the contrat de confiance name organisations and people."""

from __future__ import annotations

from dialogues.content.markup import Html
from dialogues.content.script import Script
from dialogues.core.agreements import Accord
from dialogues.summary.compute import labels


def organisation_names(script: Script, accord: Accord) -> dict[int, str]:
    """Organisation id -> the name shown (« Partenaire n » when the alliance is anonymous)."""
    return labels(accord.organisations, accord.alliance.anonymous,
                  script.messages["summary.anonymous_name"])


def author(script: Script, accord: Accord, member_id: int) -> Html:
    """« Claire Dubois, tiers de confiance », or a former member without a name."""
    named = accord.named(member_id)
    if named is None or not named.name:
        return Html(script.say("accord.former"))
    return Html(script.say("accord.who", name=named.name,
                           role=script.roles.get(named.role, named.role)))
