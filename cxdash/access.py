"""Who may do what: reading dashboards, importing data and running workshops are separate permissions.

Two ways to run, decided by secrets.toml:

- **No sign-in configured** (no `[auth]` table): everyone may read the dashboards. Importing on the Data page
  needs the import passcode (CXDASH_IMPORT_PASSCODE) and opening or closing workshop sessions the facilitator
  passcode (CXDASH_FACILITATOR_PASSCODE); while a passcode is not set, that action is switched off in the
  app. `make run` sets a fresh pair for each run and prints them.
- **Sign-in configured** (`[auth]`, used by Streamlit's st.login for OpenID Connect): people sign in, and
  `[cxdash.access]` maps their email address, email domain or groups to roles. Someone matching no entry may
  do nothing but sign out. Passcodes play no part.

Either way, workshop participants need no sign-in: the join code is their key to one session (the Live
assessment page), and only people who may read the dashboards see the list of open sessions.

Everything here is pure: the page glue (cxdash.ui) passes in st.secrets, st.user and the environment.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cxdash import labels

VIEW, IMPORT, FACILITATE = "view", "import", "facilitate"
PERMISSIONS = (VIEW, IMPORT, FACILITATE)
#: What each role may do; a person with several roles may do everything any of them may.
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({VIEW}),
    "analyst": frozenset({VIEW, IMPORT}),
    "facilitator": frozenset({VIEW, FACILITATE}),
    "admin": frozenset({VIEW, IMPORT, FACILITATE}),
}
#: With no sign-in configured, the environment variable whose passcode unlocks each write permission.
PASSCODE_ENVS = {IMPORT: "CXDASH_IMPORT_PASSCODE", FACILITATE: "CXDASH_FACILITATOR_PASSCODE"}
#: What each permission lets someone do, in words that finish "may not ...".
ACTIONS = {VIEW: "read the dashboards", IMPORT: "import data", FACILITATE: "open or close workshop sessions"}
#: Pages (URL paths) anyone may open, signed in or not: workshop participants hold a join code instead.
OPEN_PAGES = frozenset({"assess"})
DEFAULT_GROUPS_CLAIM = "groups"


class AccessConfigError(ValueError):
    """The [cxdash.access] table in secrets.toml cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Rules:
    """The [cxdash.access] table: for each role, the entries that give it, and the claim holding groups."""

    roles: Mapping[str, tuple[str, ...]]
    groups_claim: str = DEFAULT_GROUPS_CLAIM


@dataclass(frozen=True)
class Access:
    """What the person using this browser tab may do now, and why."""

    sign_in: bool  # sign-in is configured ([auth] in secrets.toml)
    signed_in: bool
    who: str | None  # email, else name, else subject of whoever is signed in
    roles: frozenset[str]
    permissions: frozenset[str]
    problem: str | None = None  # the access rules could not be read (nobody gets a role)

    def may(self, permission: str) -> bool:
        """Whether this person may `permission` ('view', 'import' or 'facilitate') now."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        return permission in self.permissions


def sign_in_configured(secrets: Mapping[str, Any]) -> bool:
    """Whether secrets.toml configures sign-in (an `[auth]` table, as st.login requires)."""
    return bool(secrets.get("auth"))


def providers(auth: Mapping[str, Any]) -> list[str | None]:
    """The identity providers to offer: None for the single unnamed one (`[auth]` holding client_id itself),
    then every named one (`[auth.<name>]`), in the order written."""
    named = [name for name, value in auth.items() if isinstance(value, Mapping)]
    return ([None] if "client_id" in auth else []) + named


def rules_from_secrets(table: Mapping[str, Any] | None) -> Rules:
    """The [cxdash.access] table as Rules; a missing table gives nobody a role.

    Keys are role names (viewer, analyst, facilitator, admin) holding lists of entries, plus optionally
    `groups_claim`. Anything else is refused rather than ignored, so a misspelt role cannot silently drop.
    """
    table = dict(table or {})
    claim = table.pop("groups_claim", DEFAULT_GROUPS_CLAIM)
    if not isinstance(claim, str) or not claim:
        raise AccessConfigError("groups_claim in [cxdash.access] must be the name of a claim, such as 'groups'.")
    roles: dict[str, tuple[str, ...]] = {}
    for role, entries in table.items():
        if role not in ROLES:
            raise AccessConfigError(
                f"[cxdash.access] has '{role}', which is not a role: use {', '.join(ROLES)} or groups_claim."
            )
        if isinstance(entries, str):
            entries = [entries]
        if not isinstance(entries, list | tuple) or not all(isinstance(e, str) and e.strip() for e in entries):
            raise AccessConfigError(f"{role} in [cxdash.access] must be a list of entries such as '@example.org'.")
        roles[role] = tuple(e.strip() for e in entries)
    return Rules(roles=roles, groups_claim=claim)


def _groups(identity: Mapping[str, Any], claim: str) -> set[str]:
    value = identity.get(claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return set()


def matches(entry: str, identity: Mapping[str, Any], groups_claim: str = DEFAULT_GROUPS_CLAIM) -> bool:
    """Whether one [cxdash.access] entry covers this identity (the claims of st.user).

    Entries: "*" (anyone signed in), "group:<name>" (exact, in the groups claim), "@<domain>" (an email
    address at exactly that domain) or an email address (case does not matter). An email address the
    provider marks unverified (email_verified = false) matches no email or domain entry.
    """
    if entry == "*":
        return True
    if entry.startswith("group:"):
        return entry.removeprefix("group:") in _groups(identity, groups_claim)
    email = identity.get("email")
    if not isinstance(email, str) or "@" not in email or identity.get("email_verified") is False:
        return False
    email = email.strip().lower()
    if entry.startswith("@"):
        return email.rsplit("@", 1)[1] == entry[1:].lower()
    return email == entry.lower()


def roles_for(identity: Mapping[str, Any], rules: Rules) -> frozenset[str]:
    """Every role whose entries cover this identity."""
    return frozenset(
        role for role, entries in rules.roles.items() if any(matches(e, identity, rules.groups_claim) for e in entries)
    )


def permissions_for(roles: Collection[str]) -> frozenset[str]:
    """Everything any of these roles may do."""
    return frozenset().union(*(ROLES[r] for r in roles))


def roles_with(permission: str) -> list[str]:
    """The roles that include `permission`, fewest permissions first (e.g. import: analyst, admin)."""
    return [role for role, granted in ROLES.items() if permission in granted]


def passcode_set(permission: str, env: Mapping[str, str] = os.environ) -> bool:
    """Whether a passcode for `permission` is set (no-sign-in mode); without one the action is off."""
    return bool(env.get(PASSCODE_ENVS.get(permission, ""), ""))


def passcode_ok(permission: str, entered: str | None, env: Mapping[str, str] = os.environ) -> bool:
    """Whether `entered` is the passcode for `permission` (compared in constant time); False when none is set."""
    expected = env.get(PASSCODE_ENVS.get(permission, ""), "")
    return bool(expected) and hmac.compare_digest((entered or "").encode(), expected.encode())


def who(identity: Mapping[str, Any]) -> str | None:
    """How to name a signed-in person: their email, else name, else subject."""
    for claim in ("email", "name", "sub"):
        if isinstance(identity.get(claim), str) and identity[claim]:
            return identity[claim]
    return None


def resolve(
    secrets: Mapping[str, Any],
    user: Mapping[str, Any],
    unlocked: Collection[str] = (),
    env: Mapping[str, str] = os.environ,
) -> Access:
    """What someone may do, from secrets.toml, their st.user claims, and the permissions they unlocked with a
    passcode in this browser tab (which count only while no sign-in is configured and the passcode is set)."""
    if not sign_in_configured(secrets):
        opened = {p for p in unlocked if p in PASSCODE_ENVS and passcode_set(p, env)}
        return Access(False, False, None, frozenset(), frozenset({VIEW, *opened}))
    if user.get("is_logged_in") is not True:
        return Access(True, False, None, frozenset(), frozenset())
    try:
        rules = rules_from_secrets((secrets.get("cxdash") or {}).get("access"))
    except AccessConfigError as exc:
        return Access(True, True, who(user), frozenset(), frozenset(), problem=str(exc))
    roles = roles_for(user, rules)
    return Access(True, True, who(user), roles, permissions_for(roles))


def role_label(access: Access) -> str:
    """The person's roles in words, most powerful first: 'admin', 'analyst and facilitator', 'no role'."""
    names = [r for r in reversed(ROLES) if r in access.roles]
    if not names:
        return "no role"
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def refusal(access: Access, permission: str) -> str:
    """Why this person may not `permission`, and what would change that, in plain words (Markdown)."""
    action = ACTIONS[permission]
    if access.problem:
        return f"Nobody can {action} until the access rules are fixed: {access.problem}"
    if not access.sign_in:
        env = PASSCODE_ENVS[permission]
        if passcode_set(permission):
            return f"Enter the {'import' if permission == IMPORT else 'facilitator'} passcode to {action}."
        return (
            f"No one can {action} here: no sign-in is configured and no passcode is set. Whoever runs cxdash "
            f"can set `{env}` (`make run` sets one and prints it) or configure sign-in."
        )
    if not access.signed_in:
        return f"Sign in to {action}."
    roles = " or ".join(roles_with(permission))
    return (
        f"You are signed in as **{labels.md(access.who)}** ({role_label(access)}), which may not {action}. "
        f"Ask whoever runs cxdash for the {roles} role."
    )
