"""`PolicyBook`: every version of every policy, the default, and which policy a community gets."""

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from ..errors import InputError
from .policy import Policy, check_before_saving
from .schema import policies, settings

DEFAULT_KEY = "default_policy"


class PolicyBook:
    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def save(self, policy: Policy, by: str, note: str = "", first: bool = False) -> Policy:
        """Store `policy` as the next version of its name and return it with that version (`first`: only as
        version 1; someone else's version 1 wins and is returned)."""
        check_before_saving(policy)
        if reason := self.conflict(policy):
            raise InputError(reason)
        for _attempt in range(1 if first else 3):  # two editors saving at once: the unique (name, version) retries
            try:
                with self.engine.begin() as conn:
                    latest = conn.execute(sa.select(sa.func.max(policies.c.version)).where(
                        policies.c.name == policy.name)).scalar_one()  # fmt: skip
                    if first and latest:
                        return self.get(policy.name)
                    stored = policy.changed(version=(latest or 0) + 1)
                    conn.execute(policies.insert().values(
                        name=stored.name, version=stored.version, body=stored.to_dict(),
                        created_at=datetime.now(UTC), created_by=by, note=note or None))  # fmt: skip
                    if conn.execute(sa.select(settings.c.value).where(settings.c.key == DEFAULT_KEY)).first() is None:
                        conn.execute(settings.insert().values(key=DEFAULT_KEY, value=stored.name))
                return stored
            except sa.exc.IntegrityError:
                if first:
                    return self.get(policy.name)
                continue
        raise InputError(f"could not save policy {policy.name!r}: it is being changed by someone else")

    def conflict(self, policy: Policy) -> str | None:
        """Why `policy` cannot be saved beside the other policies, or None: a new name that differs from another only
        in case (a moderator would take one for the other), or a community it adds that another policy already serves
        (the service judges a community by one policy: which one would be a guess). What a policy already had is
        never held against it: a store written before these checks can still save new versions."""
        names = self.names()
        twin = next((n for n in names if n.casefold() == policy.name.casefold()), None)
        if policy.name not in names and twin:
            return f"a policy named {twin!r} exists: pick a name that differs in more than case"
        added = set(policy.communities) - (set(self.get(policy.name).communities) if policy.name in names else set())
        for name in (n for n in names if n != policy.name):
            if claimed := sorted(added & set(self.get(name).communities)):
                return f"community {claimed[0]!r} follows policy {name!r}: remove it there first"
        return None

    def get(self, name: str, version: int | None = None) -> Policy:
        query = sa.select(policies.c.body, policies.c.version).where(policies.c.name == name)
        query = query.where(policies.c.version == version) if version else query
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(policies.c.version.desc()).limit(1)).first()
        if row is None:
            known = ", ".join(self.names()) or "none yet"
            raise InputError(f"no policy {name!r}{f' version {version}' if version else ''} (policies: {known})")
        body = row.body if isinstance(row.body, dict) else json.loads(row.body)
        return Policy.from_dict({**body, "version": row.version})

    def names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(policies.c.name).distinct().order_by(policies.c.name)).scalars())

    def versions(self, name: str) -> list[dict]:
        """Each stored version of `name`, newest first: version, when, by whom, the note."""
        query = (sa.select(policies.c.version, policies.c.created_at, policies.c.created_by, policies.c.note)
                 .where(policies.c.name == name).order_by(policies.c.version.desc()))  # fmt: skip
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def default_name(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(settings.c.value).where(settings.c.key == DEFAULT_KEY)).scalar()

    def default(self) -> Policy:
        """The default policy; on an empty store, CleanSpeech's own (the models' tuned thresholds), saved first."""
        name = self.default_name()
        if name is None:  # several processes may get here at once: one version 1 is made, the others read it
            self.save(Policy(description="CleanSpeech's defaults: review at each model's tuned threshold, remove at "
                             "0.90"), by="cleanspeech", note="created on first use", first=True)  # fmt: skip
            name = self.default_name() or "default"
        return self.get(name)

    def set_default(self, name: str) -> None:
        self.get(name)  # refuses an unknown name
        with self.engine.begin() as conn:
            updated = conn.execute(settings.update().where(settings.c.key == DEFAULT_KEY).values(value=name))
            if updated.rowcount == 0:
                conn.execute(settings.insert().values(key=DEFAULT_KEY, value=name))

    def for_community(self, community_id: str | None) -> Policy:
        """The newest policy that lists `community_id` among its communities, else the default. (Saving refuses a
        community two policies would share; a store written before that check may hold such a pair.)"""
        if community_id:
            claims = [(self.versions(name)[0]["created_at"], name) for name in self.names()]
            for _created, name in sorted(claims, reverse=True):
                policy = self.get(name)
                if community_id in policy.communities:
                    return policy
        return self.default()
