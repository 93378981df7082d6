"""The moderation parts of the command line: `--policy`, `--store` and `--enqueue` on `predict` and `score`, and
the `policy`, `export-decisions` and `add-user` subcommands.

Only the standard library is imported at module level, so `python -m cleanspeech --help` stays fast.
"""

import argparse
import json
import sys
from pathlib import Path

from .._io import output_file
from ..errors import InputError


def add_verdict_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", help="judge each comment by this moderation policy: a stored policy's name, "
                        "'default' (the store's default), or a policy .json file; adds verdict, severity and "
                        "reasons")  # fmt: skip
    parser.add_argument("--enqueue", action="store_true", help="put the comments the policy sends to review or "
                        "removal into the review queue (the app's Queue page); implies --policy default")  # fmt: skip
    _add_store_option(parser)


def _add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", help="moderation store: SQLite path/URL or postgresql:// URL "
                        "(default: $CLEANSPEECH_STORE or cleanspeech.sqlite3 in the checkout)")  # fmt: skip


def read_policy_file(path: str | Path, named: bool = False):
    """A policy from a .json file, unstored (any `version` in the file is the store's to give, so it is dropped),
    held to what a new version must be (`check_before_saving`) whether it is imported or used as it is. `named`: the
    file must say its name (an import without one would have become a new version of the policy called default)."""
    from .policy import Policy, check_before_saving

    try:
        body = json.loads(Path(path).read_text(encoding="utf-8-sig"))  # Notepad's byte-order mark too
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the policy file {path}: {err}") from None
    if named and isinstance(body, dict) and "name" not in body:
        raise InputError(f'{path} names no policy: add "name": "..." (the policy it makes a new version of)')
    policy = Policy.from_dict({k: v for k, v in body.items() if k != "version"} if isinstance(body, dict) else body)
    check_before_saving(policy)
    return policy


def open_store(store: str | None):
    """The moderation store of `--store`; a new SQLite file is announced on stderr, so a mistyped path does not pass
    for the team's store (its queue and policies would silently start empty)."""
    from .database import new_sqlite_file
    from .store import ModerationStore

    created = new_sqlite_file(store)
    opened = ModerationStore(store)
    if created is not None:
        print(f"note: created a new moderation store at {created}", file=sys.stderr)
    return opened


def resolve_policy(args):
    """(policy, store or None) for `--policy`/`--enqueue`; (None, None) when neither was given."""
    if not args.policy and not args.enqueue:
        return None, None
    path = Path(args.policy) if args.policy else None
    if path is not None and path.suffix.lower() == ".json":
        if args.enqueue:  # a queued verdict records its policy's version, which only a stored policy has
            raise InputError(f"--enqueue needs a stored policy: `python -m cleanspeech policy import {path}` first")
        return read_policy_file(path), None
    if path is not None and path.suffix.lower() in (".yaml", ".yml", ".toml", ".txt") and path.is_file():
        raise InputError(f"{path}: a policy file is JSON (.json), as `policy export` writes it")  # not a stored name
    store = open_store(args.store)
    name = args.policy or "default"
    return (store.policies.default() if name == "default" else store.policies.get(name)), store


VERDICT_COLUMNS = ("verdict", "severity", "reasons")  # what a policy adds to a scored file


def verdict_hook(args, models: dict, column: str, chunk_rows: int = 0):
    """A function that adds `verdict`, `severity`, `reasons` to a scored frame (and queues the flagged rows), or
    None without `--policy`/`--enqueue`. The policy's model joins `models` when it is not there already."""
    from ..classifiers import load_model
    from ..labels import LABELS
    from ..serving import SCORED_STATUSES, kept_inputs_notice, renamed_inputs
    from .verdicts import moderate, policy_model_name, row_ids

    policy, store = resolve_policy(args)
    if policy is None:
        return None
    name = policy_model_name(policy)
    if name not in models:
        models[name] = load_model(name)
    summary = {"policy": f"{policy.name} v{policy.version}", "model": name, "queued": 0, "already_queued": 0}

    def add(scored, chunk_index: int = 0, status: str = "status"):  # status: the column score_frame added
        keep = scored[status].isin(SCORED_STATUSES).to_numpy()
        rows = scored[keep]
        scores = rows[[f"{name}_{label}" for label in LABELS]].set_axis(list(LABELS), axis=1)
        judged = moderate(rows[column].astype(str).tolist(), policy, models[name], scores=scores)
        renames = renamed_inputs(scored.columns, VERDICT_COLUMNS)  # the input's own columns of these names are kept
        if chunk_index == 0 and (notice := kept_inputs_notice(renames, "the policy's")):
            print(f"note: {notice}", file=sys.stderr)
        out = scored.rename(columns=renames)
        for key in VERDICT_COLUMNS:
            out[key] = ""
            out.loc[keep, key] = judged.frame()[key].to_numpy()
        if store is not None and args.enqueue:
            ids = row_ids(rows, chunk_index * chunk_rows + 1)
            rows_to_queue = judged.queue_rows("cli", ids)
            added = store.queue.enqueue(rows_to_queue, ids_name_comments="id" in rows.columns)
            summary["queued"] += added
            summary["already_queued"] += len(rows_to_queue) - added  # the same id and text: earlier, or twice here
        return out

    add.summary = summary
    return add


def add_moderation_commands(sub) -> None:
    policy = sub.add_parser("policy", help="list, show, import or choose the default moderation policy")
    policy.add_argument("action", choices=["list", "show", "import", "set-default"])
    policy.add_argument("name", nargs="?", help="policy name (show, set-default) or .json file (import)")
    policy.add_argument("--by", default="cli", help="who makes the change (recorded with the new version)")
    _add_store_option(policy)
    policy.set_defaults(func=cmd_policy)

    export = sub.add_parser("export-decisions", help="the moderators' decisions as training rows (--extra-data)")
    export.add_argument("output", type=output_file, help="CSV file to write (- for stdout): comment_text, the six "
                        "labels (blank: not judged), ...")  # fmt: skip
    export.add_argument("--since", help="only decisions from this date on (YYYY-MM-DD)")
    _add_store_option(export)
    export.set_defaults(func=cmd_export_decisions)

    user = sub.add_parser("add-user", help="add or change a reviewer's password in a users file (scrypt hashes)")
    user.add_argument("name")
    user.add_argument("--users", required=True, help="the users file the app reads through CLEANSPEECH_USERS")
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin, not a prompt")
    user.set_defaults(func=cmd_add_user)


def cmd_policy(args) -> int:
    if args.action != "list" and not args.name:
        raise InputError(f"policy {args.action} needs a name")
    imported = read_policy_file(args.name, named=True) if args.action == "import" else None  # before any store
    store = open_store(args.store)
    if args.action == "list":
        store.policies.default()  # an empty store gets CleanSpeech's default first
        default = store.policies.default_name()
        for name in store.policies.names():
            latest = store.policies.versions(name)[0]
            mark = " (default)" if name == default else ""
            print(f"{name} v{latest['version']}{mark}  {latest['created_by']}  {latest['created_at']:%Y-%m-%d %H:%M}")
        return 0
    if args.action == "show":  # "default": the policy in force, as for --policy default (a new store gets one)
        policy = store.policies.default() if args.name == "default" else store.policies.get(args.name)
        if policy.name != args.name:  # CleanSpeech's own policy keeps its name "default" when another replaces it
            print(f"note: 'default' is the policy in force, {policy.name} v{policy.version}", file=sys.stderr)
        print(json.dumps(policy.to_dict(), indent=2, ensure_ascii=False))
    elif args.action == "set-default":
        store.policies.set_default(args.name)
        print(f"default policy: {args.name}")
    else:
        _note_a_model_not_here(imported.model)
        saved = store.policies.save(imported, by=args.by)
        print(f"saved {saved.name} v{saved.version}")
    return 0


def _note_a_model_not_here(model: str) -> None:
    """Say so where a policy's model is neither a model name nor a directory on this machine: it is saved anyway
    (the store may serve machines that hold it), but a typo would otherwise surface only when a comment is judged."""
    from ..classifiers import available_models, resolve_model_dir

    if model != "auto" and not resolve_model_dir(model).is_dir():
        known = ", ".join(["auto", *available_models()])
        print(f"note: the policy's model {model!r} is not a model here (known: {known}); judging with it fails "
              "where it is not", file=sys.stderr)  # fmt: skip


def cmd_export_decisions(args) -> int:
    from datetime import UTC, date, datetime, time

    from .._io import replaced_atomically, summary_stream, written_in_place
    from ..serving.csv_files import WRITTEN_SUFFIXES, check_output_path
    from .database import require_existing
    from .feedback import decided_items, training_rows
    from .store import ModerationStore

    since = None
    if args.since:
        try:  # the date the help promises, nothing pandas would also read ("today" is this instant; 07/12 is July)
            since = datetime.combine(date.fromisoformat(args.since), time.min, UTC)
        except ValueError:
            raise InputError(f"--since wants a date like 2026-12-01, not {args.since!r}") from None
    if Path(args.output).suffix.lower() not in WRITTEN_SUFFIXES:  # said before the general check, which offers .xlsx
        name = Path(args.output).name
        raise InputError(f"export-decisions writes CSV, what --extra-data reads: name it .csv, not {name}")
    target = check_output_path(args.output)
    require_existing(args.store)
    rows = training_rows(decided_items(ModerationStore(args.store).engine, since))
    if written_in_place(target):  # /dev/stdout, a pipe: nothing to replace
        with open(target, "w", encoding="utf-8", newline="") as out:
            rows.to_csv(out, index=False)
    else:
        with replaced_atomically(target) as tmp:  # never half a file where a training run would read one
            rows.to_csv(tmp, index=False)
    print(json.dumps({"rows": len(rows), "output": args.output, "removed": int((rows["action"] == "remove").sum()),
                      "approved": int((rows["action"] == "approve").sum())}), file=summary_stream(target))  # fmt: skip
    return 0


def cmd_add_user(args) -> int:
    import getpass

    from .users import add_user

    try:
        prompt = f"password for {args.name}: "
        password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else getpass.getpass(prompt)
    except EOFError:  # Ctrl-D at the prompt, or no terminal and nothing on stdin
        raise InputError("no password given; type one at the prompt, or pipe it in with --password-stdin") from None
    add_user(args.users, args.name, password)
    print(f"saved {args.name} in {args.users}")
    if Path(args.users).stat().st_mode & 0o004:  # an older file, made before add-user made them the owner's alone
        print(f"note: {args.users} is readable by every user of this machine: chmod 600 {args.users}", file=sys.stderr)
    return 0
