"""The moderation command line, in-process: verdicts from a policy, the queue fed by `score --enqueue`, policies
imported and chosen, decisions exported as training rows, reviewers' passwords stored as hashes."""

import io
import json

import pandas as pd
import pytest

from cleanspeech.cli import main
from cleanspeech.data.readers import read_extra_rows
from cleanspeech.errors import InputError
from cleanspeech.moderation import ModerationStore
from cleanspeech.moderation.queue import QueueFilter
from cleanspeech.moderation.users import read_users, verify


@pytest.fixture
def store(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def strict_policy(tmp_path):
    path = tmp_path / "strict.json"
    path.write_text(json.dumps({"name": "strict", "model": "baseline", "blocklist": ["go back to your country"],
                                "remove": {"threat": 0.5}}))  # fmt: skip
    return path


def test_predict_gives_one_verdict_per_comment(strict_policy, store, capsys):
    assert main(["predict", "you stupid idiot", "have a lovely day", "go back to your c0untry", "--model", "baseline",
                 "--policy", str(strict_policy), "--store", store]) == 0  # fmt: skip
    results = json.loads(capsys.readouterr().out)
    assert [r["verdict"]["action"] for r in results] == ["remove", "allow", "remove"]
    assert results[2]["verdict"]["reasons"][0] == "blocklist: 'go back to your country'"
    assert results[0]["verdict"]["policy"] == "strict v0" and results[0]["verdict"]["model"] == "baseline"


def test_score_enqueue_feeds_the_queue_and_export_writes_training_rows(strict_policy, store, tmp_path, capsys):
    source = tmp_path / "comments.csv"
    source.write_text("id,comment_text\nc1,you stupid idiot\nc2,thanks for the help\nc3,I will find you and hurt you\n"
                      "c4,\n")  # fmt: skip
    assert main(["policy", "import", str(strict_policy), "--store", store, "--by", "ana"]) == 0
    assert main(["policy", "set-default", "strict", "--store", store]) == 0
    capsys.readouterr()
    assert main(["score", str(source), str(tmp_path / "out.csv"), "--model", "baseline", "--enqueue",
                 "--store", store]) == 0  # fmt: skip
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["policy"], summary["queued"]) == ("strict v1", 2)
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert out["verdict"].tolist() == ["remove", "allow", "remove", ""]  # the empty row has no verdict
    queue = ModerationStore(store).queue
    items = queue.page()
    assert sorted(i["external_id"] for i in items) == ["c1", "c3"] and {i["source"] for i in items} == {"cli"}
    for action, reason in [("remove", "insult"), ("approve", "not_toxic")]:
        claimed = queue.claim_next("ana")
        queue.decide(claimed["id"], "ana", action, reason)
    command = ["score", str(source), str(tmp_path / "again.csv"), "--model", "baseline", "--enqueue", "--store", store]
    assert main(command) == 0  # the same file again: its comments were reviewed, and are not queued twice
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    every = QueueFilter(statuses=("open", "escalated", "approved", "removed"))
    assert (summary["queued"], summary["already_queued"]) == (0, 2) and queue.count(every) == 2
    source.write_text("id,comment_text\nc1,you stupid idiot!!\nc2,thanks\nc3,I will find you and hurt you\n")
    assert main(command) == 0  # c1's text changed: a new comment under an old id
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["queued"] == 1 and queue.count(every) == 3
    assert main(["export-decisions", str(tmp_path / "decisions.csv"), "--store", store]) == 0
    rows = read_extra_rows(str(tmp_path / "decisions.csv"))
    assert len(rows) == 2 and sorted(rows["toxic"].tolist()) == [0.0, 1.0]


def test_policy_and_user_commands_refuse_bad_input_in_one_line(tmp_path, store, capsys, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "remove": {"toxic": 2}}')
    nameless = tmp_path / "nameless.json"  # would have become a new version of the policy called default
    nameless.write_text('{"labels": ["toxic"]}')
    ModerationStore(store)  # the team's store exists (a new one is announced: below)
    for argv in (["policy", "import", str(bad)], ["policy", "show", "nope"], ["policy", "show"],
                 ["policy", "import", str(nameless)],
                 ["export-decisions", str(tmp_path / "x.csv"), "--since", "yesterday"],
                 ["export-decisions", str(tmp_path / "x.csv"), "--since", "today"],  # pandas: this instant
                 ["export-decisions", str(tmp_path / "x.csv"), "--since", "07/12/2026"]):  # fmt: skip
        assert main([*argv, "--store", store]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    for argv, says in [(["export-decisions", str(tmp_path / "d.xlsx")], "writes CSV, what --extra-data reads"),
                       (["export-decisions", str(tmp_path / "d.json")], "name it .csv, not d.json"),
                       (["export-decisions", str(tmp_path / "d.csv"), "--store", str(tmp_path / "nowhere" / "s.db")],
                        "no store at")]:  # fmt: skip
        assert main([*argv, "--store", store] if "--store" not in argv else argv) == 2
        assert says in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "d.csv").exists()  # nothing created
    from cleanspeech.moderation.command import read_policy_file

    for body in ('{"model": 5}', '{"name": " p\\n"}', '{"communities": [""]}'):  # used as it is, or imported
        bad.write_text(body)
        with pytest.raises(InputError):
            read_policy_file(bad)
    bad.write_text('\ufeff{"name": "notepad"}', encoding="utf-8")  # Notepad's byte-order mark
    assert read_policy_file(bad).name == "notepad"
    yaml = tmp_path / "strict.yaml"
    yaml.write_text("name: strict\n")
    assert main(["predict", "hi", "--model", "baseline", "--policy", str(yaml), "--store", store]) == 2
    assert "a policy file is JSON" in capsys.readouterr().err
    typo = tmp_path / "typo.json"
    typo.write_text('{"name": "typo", "model": "transfomer"}')
    assert main(["policy", "import", str(typo), "--store", store]) == 0  # saved: the store may serve other machines
    assert "model 'transfomer' is not a model here (known: auto, " in capsys.readouterr().err
    users = tmp_path / "users.json"
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["add-user", "ana", "--users", str(users), "--password-stdin"]) == 0
    assert "correct horse" not in users.read_text() and read_users(users)["ana"].startswith("scrypt$")
    assert verify(users, "ana", "correct horse battery") and not verify(users, "ana", "wrong password")
    assert users.stat().st_mode & 0o777 == 0o600  # hashes are for the owner alone, whatever the umask
    users.chmod(0o640)  # opened to the app's group: a new user keeps it so
    monkeypatch.setattr("sys.stdin", io.StringIO("piped from windows\r\n"))  # the line end is not the password
    assert main(["add-user", "cy", "--users", str(users), "--password-stdin"]) == 0
    assert verify(users, "cy", "piped from windows") and users.stat().st_mode & 0o777 == 0o640
    assert "readable by every user" not in capsys.readouterr().err
    users.chmod(0o644)  # a file from before add-user made them private: kept so, but said
    monkeypatch.setattr("sys.stdin", io.StringIO("another long one\n"))
    assert main(["add-user", "di", "--users", str(users), "--password-stdin"]) == 0
    assert f"readable by every user of this machine: chmod 600 {users}" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("yet another password\n"))
    assert main(["add-user", "ANA", "--users", str(users), "--password-stdin"]) == 2  # one reviewer to the history
    assert "a user 'ana' exists" in capsys.readouterr().err and "ANA" not in read_users(users)
    for weak in ("short\n", "        \n"):  # too short; eight spaces
        monkeypatch.setattr("sys.stdin", io.StringIO(weak))
        assert main(["add-user", "bob", "--users", str(users), "--password-stdin"]) == 2
    capsys.readouterr()

    def no_terminal(prompt):  # what getpass does at end of input (Ctrl-D, or no terminal and an empty stdin)
        raise EOFError

    monkeypatch.setattr("getpass.getpass", no_terminal)
    assert main(["add-user", "bob", "--users", str(users)]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: no password given; type one at the prompt, or pipe it in with --password-stdin"
    )


def test_the_default_is_the_stores_choice_and_a_file_policy_is_never_queued(strict_policy, store, tmp_path, capsys):
    comments = tmp_path / "comments.csv"
    comments.write_text("comment_text\ngo back to your country\n")
    assert main(["policy", "show", "default", "--store", store]) == 0  # a new store: CleanSpeech's own "default"
    assert json.loads(capsys.readouterr().out)["name"] == "default"
    assert main(["policy", "import", str(strict_policy), "--store", store]) == 0
    assert main(["policy", "set-default", "strict", "--store", store]) == 0
    capsys.readouterr()
    assert main(["policy", "show", "default", "--store", store]) == 0  # the policy in force, as --policy default
    shown = capsys.readouterr()
    assert json.loads(shown.out)["name"] == "strict" and "'default' is the policy in force, strict v1" in shown.err
    assert main(["predict", "--file", str(comments), "--model", "baseline", "--policy", "default",
                 "--store", store]) == 0  # fmt: skip
    [result] = json.loads(capsys.readouterr().out)
    assert result["verdict"]["policy"] == "strict v1" and result["verdict"]["action"] == "remove"
    assert main(["predict", "x", "--policy", str(strict_policy), "--enqueue", "--store", store]) == 2
    assert "policy import" in capsys.readouterr().err


def test_decisions_exported_to_stdout_go_to_stdout_and_a_link_stays_a_link(store, tmp_path):
    """`export-decisions /dev/stdout | ...`: the CSV reaches stdout, the summary stderr; the link is written through,
    never renamed over (it replaced the machine's /dev/stdout with a file once)."""
    import subprocess
    import sys

    from cleanspeech.cli import build_parser

    for argv in (["export-decisions", "-"], ["score", "-", "-"], ["predict", "--output", "-"]):  # - is stdout
        assert build_parser().parse_args(argv).output == "/dev/stdout"

    from tests.helpers import REPO

    ModerationStore(store)  # an empty store: the CSV is its header
    link = tmp_path / "out"
    link.symlink_to("/dev/stdout")
    # a link of its own to /dev/stdout: were it renamed over again, the machine's /dev/stdout would be spared
    run = subprocess.run([sys.executable, "-m", "cleanspeech", "export-decisions", str(link), "--store", store],
                         cwd=REPO, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("comment_text,") and json.loads(run.stderr.splitlines()[-1])["rows"] == 0
    assert link.is_symlink()
    kept = tmp_path / "kept.csv"
    (tmp_path / "to-file").symlink_to(kept)
    assert main(["export-decisions", str(tmp_path / "to-file"), "--store", store]) == 0  # a link to a file
    assert (tmp_path / "to-file").is_symlink() and kept.read_text().startswith("comment_text,")


def test_predict_enqueue_names_comments_by_the_files_ids_as_score_does(store, tmp_path, capsys):
    """predict --file --enqueue printing JSON (no --output) queued by row number and queued the file again on every
    run; the file's ids name the comments, and a second run adds none."""
    source = tmp_path / "c.csv"
    source.write_text("id,comment_text\n007,you stupid idiot\n2,thanks a lot\n9,I will find you and hurt you\n")
    command = ["predict", "--file", str(source), "--model", "baseline", "--enqueue", "--store", store]
    counts = []
    for _ in range(2):
        assert main(command) == 0
        out = capsys.readouterr()
        assert len(json.loads(out.out)) == 3  # stdout holds the results alone
        counts.append(json.loads(out.err.strip().splitlines()[-1]))
    assert counts[0]["queued"] >= 2 and counts[1] == {"queued": 0, "already_queued": counts[0]["queued"]}
    queued = ModerationStore(store).queue.page(QueueFilter(), after=None, limit=10)
    assert {item["external_id"] for item in queued} <= {"007", "2", "9"} and "007" in {i["external_id"] for i in queued}


def test_a_store_the_command_creates_is_announced_once(tmp_path, capsys):
    typo = tmp_path / "moderaton.sqlite3"  # the team's store is moderation.sqlite3
    assert main(["policy", "import", str(tmp_path / "missing.json"), "--store", str(typo)]) == 2
    assert "cannot read the policy file" in capsys.readouterr().err and not typo.exists()  # the file is read first
    assert main(["policy", "list", "--store", str(typo)]) == 0
    assert capsys.readouterr().err == f"note: created a new moderation store at {typo}\n"
    assert main(["policy", "show", "default", "--store", str(typo)]) == 0
    assert capsys.readouterr().err == ""  # it exists now
