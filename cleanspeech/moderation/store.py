"""`ModerationStore`: one database for policies, the review queue, the audit log and the service's suggestscore
records. The app, the CLI and `cleanspeech serve` all open the same store (`--store`, `CLEANSPEECH_STORE`)."""

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from .database import default_store, open_engine, shown_url
from .policies import PolicyBook
from .queue import ReviewQueue
from .schema import by_reviewer, decisions, items, storable, suggestions

HISTORY_LIMIT = 10_000  # records of each kind the History page shows (its download holds them all)


class ModerationStore:
    def __init__(self, store: str | None = None, migrate: bool = True):
        self.engine = open_engine(store or default_store(), migrate=migrate)
        self.url = shown_url(store or default_store())
        self.policies = PolicyBook(self.engine)
        self.queue = ReviewQueue(self.engine)

    # The service's suggestscore records.
    def add_suggestion(self, **row) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(suggestions.insert().values(created_at=datetime.now(UTC), **storable(row)))
            return result.inserted_primary_key[0]

    def suggestions(self, limit: int = 1000) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(suggestions.select().order_by(suggestions.c.id).limit(limit))
            return [dict(row._mapping) for row in rows]

    def count(self) -> int:
        """How many suggestscore records the store holds."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(suggestions)).scalar_one()

    def history(self, reviewer: str | None = None, action: str | None = None, since: datetime | None = None,
                limit: int | None = HISTORY_LIMIT) -> pd.DataFrame:  # fmt: skip
        """The audit log joined with each item's text, newest first, with the service's suggestscore records
        as rows of kind `suggestscore` (reviewer: the community, action: what the human score implies); the newest
        `limit` of each kind (None: all of them); `attrs["truncated"]` says whether older ones were left out."""
        query = (sa.select(decisions.c.id, decisions.c.decided_at, decisions.c.reviewer, decisions.c.item_id,
                           items.c.text, items.c.language, items.c.source, decisions.c.action, decisions.c.reason_code,
                           decisions.c.note, decisions.c.verdict, decisions.c.model, decisions.c.model_version,
                           decisions.c.policy_name, decisions.c.policy_version, decisions.c.scores)
                 .join(items, items.c.id == decisions.c.item_id))  # fmt: skip
        if reviewer:
            with self.engine.connect() as conn:
                query = by_reviewer(query, conn, reviewer)
        if action:
            query = query.where(decisions.c.action == action)
        if since:
            query = query.where(decisions.c.decided_at >= since)
        rows, truncated = self._newest(query.order_by(decisions.c.id.desc()), limit)
        frame = pd.DataFrame(rows, columns=_HISTORY_COLUMNS[1:])
        frame.insert(0, "kind", "decision")
        if reviewer is None and action in (None, "approve", "remove"):
            suggested, left_out = self._suggestion_rows(action, since, limit)
            frame = pd.concat([frame, suggested], ignore_index=True)
            truncated = truncated or left_out
        # in UTC, and saying so: SQLite hands back the UTC times it stored without their zone (PostgreSQL keeps it)
        frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True)
        frame = frame.sort_values("decided_at", ascending=False, kind="stable").reset_index(drop=True)
        frame.attrs["truncated"] = truncated  # older records of the period were left out
        return frame

    def _suggestion_rows(self, action, since, limit) -> tuple[pd.DataFrame, bool]:
        """The newest `limit` suggestscore records as history rows (then filtered by the action their score implies),
        and whether older ones were left out."""
        query = suggestions.select().order_by(suggestions.c.id.desc())
        if since:
            query = query.where(suggestions.c.created_at >= since)
        rows, left_out = self._newest(query, limit)
        out = []
        for row in rows:
            toxicity = (row["attribute_scores"] or {}).get("TOXICITY", {}).get("summaryScore", {}).get("value")
            implied = None if toxicity is None else "remove" if float(toxicity) >= 0.5 else "approve"
            if action and implied != action:
                continue
            out.append({"kind": "suggestscore", "id": row["id"], "decided_at": row["created_at"],
                        "reviewer": f"community:{row['community_id']}" if row["community_id"] else "service",
                        "text": row["comment_text"], "action": implied, "reason_code": "suggestscore",
                        "note": row["client_token"], "model_version": row["model_version"],
                        "scores": row["attribute_scores"], "language": ",".join(row["languages"] or [])})  # fmt: skip
        return pd.DataFrame(out, columns=_HISTORY_COLUMNS), left_out

    def _newest(self, query, limit: int | None) -> tuple[list[dict], bool]:
        """The first `limit` rows of `query` (newest first; None: all), and whether more were left out: one more row
        is read to tell."""
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query.limit(None if limit is None else limit + 1))]
        return rows[:limit], limit is not None and len(rows) > limit

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def close(self) -> None:
        self.engine.dispose()


_HISTORY_COLUMNS = ["kind", "id", "decided_at", "reviewer", "item_id", "text", "language", "source", "action",
                    "reason_code", "note", "verdict", "model", "model_version", "policy_name", "policy_version",
                    "scores"]  # fmt: skip
