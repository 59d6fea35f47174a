"""Who may see and change what: `access.yaml` (auth mode, users, roles) and the one policy every reader goes through.

    auth: open | password | oidc
    users:
      - {id: p101, name: 王芳, role: zone_lead, war_zone: north}
      - {id: hq1, name: 陈静, role: planner, pii: true}

Roles (docs/admin-guide.md's "Who sees what" table says the same in words):

    admin        every page and every right: access, uploads, rebuilds, the audit
    leader       reads every page
    planner      reads every page; edits the plan (targets anywhere, key actions of any center)
    zone_lead    board, war zones, plan, centers: every zone's and the company's totals, but the teams and people
                 of its own war zone only; edits the targets of the teams and people of that zone
    center_lead  board and centers: the key actions of its own center; edits them and records their check-ins
    analyst      board, cohorts, growth, data quality; never personal data

`pii: true` unmasks phone numbers for that person; everyone else sees them masked everywhere. A right not granted
here is refused (default deny): the pages, the downloads and the command line (`--as USER_ID`) all ask this module.
With `auth: open` there is no sign-in and one local person (`LOCAL`) has every right: a laptop with the sample.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.base.errors import NorthstarError
from pipelines.base.labels import Words
from pipelines.plan.org import Org, plain
from pipelines.plan.yamlcheck import Problems, YMap, check_keys, entries, load_yaml, one_of, unique_id

AUTH_MODES = ("open", "password", "oidc")
ROLES = ("admin", "leader", "planner", "zone_lead", "center_lead", "analyst")
PAGES = ("board", "war_zone", "plan", "centers", "cohorts", "growth", "data")
ROLE_PAGES = {
    "admin": PAGES,
    "leader": PAGES,
    "planner": PAGES,
    "zone_lead": ("board", "war_zone", "plan", "centers"),
    "center_lead": ("board", "centers"),
    "analyst": ("board", "cohorts", "growth", "data"),
}
ALL_ZONES = ("admin", "leader", "planner")      # roles that see every war zone's teams and people
DEFAULT_SESSION_HOURS = 12.0
DEFAULT_MAX_FAILURES = 5
DEFAULT_LOCKOUT_MINUTES = 15
MIN_PASSWORD = 10
USER_KEYS = {"id", "name", "role", "war_zone", "center", "pii"}
ACCESS_KEYS = {"auth", "users", "session_hours", "max_failures", "lockout_minutes", "oidc"}
OIDC_KEYS = {"user_id_claim", "name_claim", "role_claim", "war_zone_claim", "center_claim", "pii_claim"}


class AccessDenied(NorthstarError):
    """A read or a write outside the person's rights: its code and values (`keys`: the targets refused)."""

    def __init__(self, code: str, keys: list | None = None, **values):
        self.keys = keys or []
        super().__init__(code, **values)


@dataclass(frozen=True)
class User:
    """One person and their rights. The rights are derived from the role; nothing else grants one."""
    id: str
    name: str
    role: str
    war_zone: str | None = None
    center: str | None = None
    pii: bool = False

    # ---- reading ---------------------------------------------------------------------------------------------

    @property
    def pages(self) -> tuple[str, ...]:
        return ROLE_PAGES.get(self.role, ())

    def can_read(self, page: str) -> bool:
        return page in self.pages

    @property
    def all_zones(self) -> bool:
        """Sees the teams and people of every war zone (otherwise: of `war_zone` only, or of none)."""
        return self.role in ALL_ZONES

    def sees_zone_detail(self, war_zone: str | None) -> bool:
        """May see the teams, people, stations and members of this war zone (every zone's total is shared)."""
        return self.all_zones or (self.role == "zone_lead" and war_zone is not None and war_zone == self.war_zone)

    def sees_center(self, center: str | None) -> bool:
        """May see this center's key actions and check-ins."""
        return self.role != "center_lead" or center == self.center

    # ---- writing ---------------------------------------------------------------------------------------------

    @property
    def writes_plan(self) -> bool:
        return self.role in ("admin", "planner", "zone_lead")

    def can_edit_target(self, level: str, war_zone: str | None) -> bool:
        """A target of a node at `level` whose war zone is `war_zone` (None for the company and the centers)."""
        if self.role in ("admin", "planner"):
            return True
        return self.role == "zone_lead" and level in ("team", "person") and war_zone == self.war_zone

    def can_edit_center(self, center: str | None) -> bool:
        """Key actions of this center: add, change, remove."""
        return self.role in ("admin", "planner") or (self.role == "center_lead" and center == self.center)

    def can_check_in(self, center: str | None) -> bool:
        """A check-in for a key result of a key action of this center."""
        return self.role == "admin" or (self.role == "center_lead" and center == self.center)

    @property
    def can_upload(self) -> bool:
        return self.role == "admin"

    @property
    def can_audit(self) -> bool:
        return self.role == "admin"

    def label(self) -> str:
        return f"{self.name} ({self.id})"


# The one local person of `auth: open`: every right but personal data, which stays masked (whoever reaches the port
# is this person; only someone listed with pii: true, and signed in, sees a phone number).
LOCAL = User(id="local", name="本机 · this computer", role="admin", pii=False)


# Claims a provider lets its users set and asserts separately as verified (OpenID Connect Core §5.1).
VERIFIED_CLAIMS = ("email", "phone_number")


@dataclass(frozen=True)
class Oidc:
    """Which claims of the identity provider's token say who the person is (and, optionally, their role)."""
    user_id_claim: str = "email"
    name_claim: str = "name"
    role_claim: str | None = None
    war_zone_claim: str | None = None
    center_claim: str | None = None
    pii_claim: str | None = None


@dataclass(frozen=True)
class Access:
    auth: str = "open"
    users: tuple[User, ...] = ()
    session_hours: float = DEFAULT_SESSION_HOURS
    max_failures: int = DEFAULT_MAX_FAILURES
    lockout_minutes: int = DEFAULT_LOCKOUT_MINUTES
    oidc: Oidc = field(default_factory=Oidc)
    configured: bool = True        # False: there is no access.yaml (open, and the pages say so)

    def user(self, user_id: str | None) -> User | None:
        """The listed person of this id (ids compare without case: an email from a provider may be capitalised)."""
        if user_id is None:
            return None
        key = str(user_id).strip().casefold()
        return next((u for u in self.users if u.id.casefold() == key), None)

    def admins(self) -> list[User]:
        return [u for u in self.users if u.role == "admin"]

    def whom_to_ask(self) -> str:
        """The admins' names, for the sentence a refused person reads ('ask 陈静 (hq1)')."""
        names = [u.label() for u in self.admins()]
        return ", ".join(names) if names else "the person who runs Northstar"

    @property
    def session(self) -> dt.timedelta:
        return dt.timedelta(hours=self.session_hours)

    @property
    def lockout(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.lockout_minutes)

    def from_claims(self, claims: dict, org: Org | None = None) -> User | None:
        """The person an identity provider's claims name: the listed user of that id, or (with a role claim the
        policy knows) a person with that role; None when neither (the page refuses and says whom to ask)."""
        uid = claims.get(self.oidc.user_id_claim)
        if not uid:
            return None
        listed = self.user(str(uid))
        if listed is not None:
            return listed
        role = claims.get(self.oidc.role_claim) if self.oidc.role_claim else None
        if role not in ROLES:
            return None
        zone = claims.get(self.oidc.war_zone_claim) if self.oidc.war_zone_claim else None
        center = claims.get(self.oidc.center_claim) if self.oidc.center_claim else None
        if role == "zone_lead" and (not zone or (org is not None and zone not in org.ids("war_zone"))):
            return None
        if role == "center_lead" and (not center or (org is not None and center not in org.ids("center"))):
            return None
        pii = claims.get(self.oidc.pii_claim) is True and role != "analyst" if self.oidc.pii_claim else False
        name = claims.get(self.oidc.name_claim) or str(uid)
        return User(id=str(uid), name=str(name), role=role, war_zone=zone if role == "zone_lead" else None,
                    center=center if role == "center_lead" else None, pii=pii)

    def claims_problem(self, claims: dict) -> str | None:
        """Why these claims cannot name a person, before anyone is looked up: "incomplete" without the provider's
        issuer and subject (every OpenID Connect ID token has them: they are what a person is bound to), or
        "unverified" when the person is named by an e-mail or phone number the provider does not assert as
        verified (`email_verified` / `phone_number_verified` true) — anyone can type someone else's address into
        their own account at many providers."""
        if not claims.get("iss") or not claims.get("sub"):
            return "incomplete"
        claim = self.oidc.user_id_claim
        if claim in VERIFIED_CLAIMS and claims.get(f"{claim}_verified") is not True:
            return "unverified"
        return None

    def doc(self) -> dict:
        """As the file says it (plain data): what the plan store keeps and exports back."""
        out = {"auth": self.auth, "session_hours": self.session_hours, "max_failures": self.max_failures,
               "lockout_minutes": self.lockout_minutes,
               "users": [{k: v for k, v in (("id", u.id), ("name", u.name), ("role", u.role),
                                            ("war_zone", u.war_zone), ("center", u.center), ("pii", u.pii or None))
                          if v is not None} for u in self.users]}
        if self.oidc != Oidc():
            out["oidc"] = {k: v for k, v in self.oidc.__dict__.items() if v is not None}
        return out


OPEN = Access(configured=False)


def access_from_doc(doc: dict | None) -> Access:
    """The plan store's copy of access.yaml (already checked when it was imported) → Access; None → open."""
    if not doc:
        return OPEN
    users = tuple(User(id=str(u["id"]), name=str(u.get("name") or u["id"]), role=u["role"],
                       war_zone=u.get("war_zone"), center=u.get("center"), pii=bool(u.get("pii")))
                  for u in doc.get("users") or [])
    return Access(auth=doc.get("auth", "open"), users=users,
                  session_hours=float(doc.get("session_hours", DEFAULT_SESSION_HOURS)),
                  max_failures=int(doc.get("max_failures", DEFAULT_MAX_FAILURES)),
                  lockout_minutes=int(doc.get("lockout_minutes", DEFAULT_LOCKOUT_MINUTES)),
                  oidc=Oidc(**(doc.get("oidc") or {})))


def load_access(config: Path, org: Org) -> Access:
    """access.yaml from the plan folder, checked against the org (a zone lead's war zone, a center lead's center);
    every problem named with its line, all at once (PlanError). No file: open, as before there was one."""
    path = Path(config) / "access.yaml"
    if not path.exists():
        return OPEN
    doc = load_yaml(path)
    p = Problems()
    access = parse_access(doc, path, org, p)
    p.raise_if_any()
    return access


def _number(p: Problems, path, doc: YMap, key: str, default, kind, low):
    value = doc.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        p.add(path, doc.line_of(key), key, "access_number", value=value, low=low)
        return default
    return kind(value)


USER_SHAPE = "{id, name, role, war_zone?, center?, pii?}"


def parse_access(doc, path, org: Org, p: Problems) -> Access:
    if doc is None:
        doc = YMap()
    if not isinstance(doc, dict):
        p.add(path, None, "", "access_shape")
        return OPEN
    check_keys(p, path, doc, "", ACCESS_KEYS)
    auth = str(doc.get("auth", "open"))
    if auth not in AUTH_MODES:
        p.add(path, doc.line_of("auth"), "auth", "yaml_one_of", value=repr(auth), known=", ".join(AUTH_MODES))
    zones, centers = org.ids("war_zone"), org.ids("center")
    users, seen = [], {}
    for _, u, where in entries(p, path, doc, "users", USER_SHAPE):
        check_keys(p, path, u, where, USER_KEYS)
        uid = unique_id(p, path, u, where, seen, missing="access_user_id", fold=True)
        role = one_of(p, path, u, "role", where, ROLES) if uid else None
        if role is None:
            continue
        zone, center = u.get("war_zone"), u.get("center")
        if role == "zone_lead" and zone not in zones:
            p.add(path, u.line_of("war_zone"), f"{where}war_zone", "access_zone_needed",
                  known=", ".join(sorted(zones)) or "—")
            continue
        if role == "center_lead" and center not in centers:
            p.add(path, u.line_of("center"), f"{where}center", "access_center_needed",
                  known=", ".join(sorted(centers)) or "—")
            continue
        if role != "zone_lead" and zone is not None:
            p.add(path, u.line_of("war_zone"), f"{where}war_zone", "access_zone_only_lead", role=role)
            continue
        if role != "center_lead" and center is not None:
            p.add(path, u.line_of("center"), f"{where}center", "access_center_only_lead", role=role)
            continue
        pii = u.get("pii", False)
        if not isinstance(pii, bool):
            p.add(path, u.line_of("pii"), f"{where}pii", "access_pii_bool", value=pii)
            pii = False
        elif pii and role == "analyst":
            p.add(path, u.line_of("pii"), f"{where}pii", "access_pii_analyst")
            pii = False
        users.append(User(id=uid, name=str(u.get("name") or uid), role=role, war_zone=zone, center=center,
                          pii=pii))
    oidc = Oidc()
    if isinstance(doc.get("oidc"), dict):
        check_keys(p, path, doc["oidc"], "oidc.", OIDC_KEYS)
        oidc = Oidc(**{k: str(v) for k, v in doc["oidc"].items() if k in OIDC_KEYS and v})
    elif doc.get("oidc") is not None:
        p.add(path, doc.line_of("oidc"), "oidc", "access_oidc_shape")
    if auth == "password" and not any(u.role == "admin" for u in users):
        p.add(path, doc.line_of("users"), "users", "access_admin_needed")
    return Access(auth=auth, users=tuple(users),
                  session_hours=_number(p, path, doc, "session_hours", DEFAULT_SESSION_HOURS, float, 0.1),
                  max_failures=_number(p, path, doc, "max_failures", DEFAULT_MAX_FAILURES, int, 1),
                  lockout_minutes=_number(p, path, doc, "lockout_minutes", DEFAULT_LOCKOUT_MINUTES, int, 1),
                  oidc=oidc)


def access_snapshot(access: Access) -> dict | None:
    return plain(access.doc()) if access.configured else None


# ---- passwords ---------------------------------------------------------------------------------------------------

def _hasher():
    from argon2 import PasswordHasher  # argon2id, salted, with its parameters in the hash

    return PasswordHasher()


def password_problem(password: str) -> Words | None:
    if len(password) < MIN_PASSWORD:
        return Words("password_short", n=MIN_PASSWORD)
    if password.strip() != password:
        return Words("password_spaces")
    return None


def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise NorthstarError(problem.key, **problem.values)
    return _hasher().hash(password)


_DUMMY = None


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches the stored hash. With no stored hash it still spends the time of a check, so
    the time taken does not tell a stranger which ids have accounts."""
    from argon2.exceptions import InvalidHashError, VerificationError

    global _DUMMY
    if stored is None:
        _DUMMY = _DUMMY or _hasher().hash("not a password of anyone's")
        stored, password = _DUMMY, password + "\0"
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# ---- password sign-in ----------------------------------------------------------------------------------------------

class SignInRefused(NorthstarError):
    """`reason`: wrong (id or password: never which), locked (until `until`, UTC)."""

    def __init__(self, reason: str, until: dt.datetime | None = None, left: int | None = None):
        self.reason, self.until, self.left = reason, until, left
        if reason == "wrong":
            super().__init__("signin_wrong")
        else:
            super().__init__("signin_locked", until=f"{until:%H:%M}")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _streak(failures: list[dt.datetime], gap: dt.timedelta) -> list[dt.datetime]:
    """The latest failures that follow each other within `gap` (a failure after a lock-out ended starts anew)."""
    streak: list[dt.datetime] = []
    for at in reversed(failures):
        if streak and streak[0] - at >= gap:
            break
        streak.insert(0, at)
    return streak


SOURCE_FACTOR = 4     # one network address may fail this many times max_failures, over any ids, per lock-out window


def sign_in(store, access: Access, user_id: str, password: str, now: dt.datetime | None = None,
            source: str | None = None) -> User:
    """Checks a password sign-in against the plan store's hash and records the attempt. After `max_failures`
    failures in a row, each within `lockout_minutes` of the one before, the id is locked for `lockout_minutes`
    from the last of them, whether the id exists or not (a stranger learns nothing about which ids have
    accounts), and a right password does not open it before then."""
    now = now or _utcnow()
    uid = str(user_id).strip()[:100]
    seen: dict[str, list] = {}

    def allow(failures: list[dt.datetime], from_source: list[dt.datetime]) -> bool:
        streak = _streak(failures, access.lockout)
        if streak and now - streak[-1] >= access.lockout:
            streak = []
        # one address guessing over many ids (locking each in turn) is throttled as a whole
        recent = sorted(at for at in from_source if now - at < access.lockout)
        if len(recent) >= access.max_failures * SOURCE_FACTOR:
            streak = [recent[-1]] * access.max_failures
        seen["streak"] = streak
        return len(streak) < access.max_failures

    # the attempt is counted before its password is checked, in one step with the look at the streak: parallel
    # posts (each browser tab is a thread of its own) cannot all slip in under the limit
    row = store.accounts.claim_sign_in(uid, "password", now, allow, source)
    streak = seen["streak"]
    if row is None:
        store.runs.audit(uid.casefold(), "sign_in_refused", "locked")
        raise SignInRefused("locked", until=streak[-1] + access.lockout)
    user = access.user(uid)
    ok = verify_password(store.accounts.account_hash(uid) if user is not None else None, password) and user is not None
    store.accounts.settle_sign_in(row, ok, uid, "password", now)
    if not ok:
        left = access.max_failures - len(streak) - 1
        if left <= 0:
            raise SignInRefused("locked", until=now + access.lockout)
        raise SignInRefused("wrong", left=left)
    return user


def oidc_sign_in(store, access: Access, claims: dict, org: Org | None = None,
                 now: dt.datetime | None = None) -> tuple[User | None, str, str]:
    """An identity provider's sign-in, checked and recorded: (the person or None, why — "ok", "incomplete",
    "unverified", "unknown" (not listed, no usable role) or "bound" (the person is bound to another account at the
    provider) — and the id the claims name). On a person's first sign-in their provider account (issuer + subject)
    is bound to them; a later sign-in naming them from another account is refused. The audit row carries the
    issuer and subject, so a sign-in can be traced to the account that made it."""
    now = now or _utcnow()
    who = str(claims.get(access.oidc.user_id_claim) or claims.get("sub") or "?")[:200]
    issuer, sub = str(claims.get("iss") or "")[:300], str(claims.get("sub") or "")[:300]
    reason = access.claims_problem(claims)
    user = None
    if reason is None:
        user = access.from_claims(claims, org)
        reason = "ok" if user is not None else "unknown"
    if user is not None and store.accounts.bind_identity(user.id, issuer, sub, now) != (issuer, sub):
        user, reason = None, "bound"
    issued = claims.get("iat")
    detail = (f"iss={issuer or '?'} sub={sub or '?'}" + (f" iat={int(issued)}" if isinstance(issued, (int, float))
                                                         else "") + ("" if reason == "ok" else f" ({reason})"))
    # one audit row per sign-in at the provider (its ID token's iat), not one per browser page that shows it
    if not store.runs.audited(who, "sign_in" if user is not None else "sign_in_refused", f"oidc {detail}"):
        store.accounts.record_sign_in(who, user is not None, "oidc", at=now, detail=detail)
    return user, reason, who


@dataclass(frozen=True)
class Session:
    """A signed-in person: who, how and since when. It ends `access.session_hours` after the sign-in."""
    user_id: str
    how: str
    started: dt.datetime

    def expired(self, access: Access, now: dt.datetime | None = None) -> bool:
        return (now or _utcnow()) >= self.started + access.session


# ---- writes --------------------------------------------------------------------------------------------------------

def war_zone_of(node_id: str, nodes_by_id: dict[str, dict]) -> str | None:
    """The war zone above a team or person (the zone itself for a war zone; None for the company and centers)."""
    node = nodes_by_id.get(node_id)
    seen = 0
    while node is not None and node["level"] in ("team", "person") and seen < 10:
        node, seen = nodes_by_id.get(node["parent"]), seen + 1
    return node["id"] if node is not None and node["level"] == "war_zone" else None


def refused_targets(user: User, keys, nodes_by_id: dict[str, dict]) -> list[tuple]:
    """The target keys (…, level, node_id, metric) this person may not set: a zone lead outside the teams and
    people of their zone, anyone but admins and planners elsewhere."""
    return [k for k in keys if not user.can_edit_target(k[-3], war_zone_of(k[-2], nodes_by_id))]


def check_targets(user: User, keys, nodes_by_id: dict[str, dict]) -> None:
    refused = refused_targets(user, keys, nodes_by_id)
    if refused:
        shown = ", ".join(f"{k[-3]} {k[-2]}" for k in refused[:5]) + (" …" if len(refused) > 5 else "")
        raise AccessDenied("denied_targets", keys=refused, user=user.label(), role=user.role, shown=shown)


def check_center(user: User, center: str | None, checkin: bool) -> None:
    allowed = user.can_check_in(center) if checkin else user.can_edit_center(center)
    if not allowed:
        raise AccessDenied("denied_checkin" if checkin else "denied_key_actions", user=user.label(), role=user.role,
                           center=center)


def visible_nodes(user: User, nodes: list[dict]) -> list[dict]:
    """The org's nodes (dicts with id, parent, level) as `user` may see them: every company, war-zone and center
    node; teams and people of the zones whose detail they may see (GoalTree.scoped does the same for a tree)."""
    by_id = {n["id"]: n for n in nodes}
    return [n for n in nodes if n["level"] not in ("team", "person")
            or user.sees_zone_detail(war_zone_of(n["id"], by_id))]
