"""The service's parts on their own: attributes and proxies, languages, spans, model versions, settings, the CLI."""

import json
import shutil
from pathlib import Path

import pytest

from cleanspeech.classifiers.files import model_version
from cleanspeech.errors import InputError
from cleanspeech.server.attributes import canonical_name, label_for, parse_proxies, proxies_header
from cleanspeech.server.languages import LanguageDetector, attribute_languages, load_language_table
from cleanspeech.server.scoring import sentence_spans, utf16_offsets
from cleanspeech.server.settings import SETTINGS_ENV, ServerSettings


def test_experimental_names_are_aliases_and_proxies_must_be_declared():
    assert (
        canonical_name("TOXICITY_EXPERIMENTAL") == "TOXICITY"
        and canonical_name("FOO_EXPERIMENTAL") == "FOO_EXPERIMENTAL"
    )
    assert label_for("IDENTITY_ATTACK_EXPERIMENTAL", {}) == "identity_hate"
    assert label_for("SEXUALLY_EXPLICIT", {}) is None
    proxies = parse_proxies(["sexually_explicit=obscene", "FLIRTATION = insult"])
    assert proxies == {"SEXUALLY_EXPLICIT": "obscene", "FLIRTATION": "insult"}
    assert label_for("SEXUALLY_EXPLICIT", proxies) == "obscene"
    assert proxies_header(proxies) == "FLIRTATION=insult, SEXUALLY_EXPLICIT=obscene"


@pytest.mark.parametrize(
    "spec", ["FLIRTATION", "FLIRTATION=rude", "=insult", "TOXICITY=insult", "毒=obscene", "A\r\nB=insult", "1ST=insult"]
)  # a name goes into every answer's header
def test_a_bad_proxy_is_one_clear_error(spec):
    with pytest.raises(InputError, match="bad --proxy"):
        parse_proxies([spec])


def test_short_comments_are_detected_or_undetermined_never_guessed_wildly():
    detector = LanguageDetector(["en", "de", "fr", "es", "it", "pt", "ru", "tr"])
    assert detector.detect("I am a gay man") == "en"
    assert detector.detect("you idiot") == "en"
    assert detector.detect("Halt die Klappe, du Idiot") == "de"
    assert detector.detect("Tu es vraiment nul et stupide") == "fr"
    assert detector.detect("😀😀") == "und" and detector.detect("12345") == "und"


def test_language_table_replaces_the_named_attributes_and_rejects_nonsense(tmp_path):
    good = tmp_path / "languages.json"
    good.write_text(json.dumps({"THREAT": ["en", "de"]}))
    table = load_language_table(good)
    assert table["THREAT"] == ["en", "de"] and "fr" in table["TOXICITY"]
    assert attribute_languages(table, "THREAT_EXPERIMENTAL", {}) == ["en", "de"]
    assert attribute_languages(table, "FLIRTATION", {"FLIRTATION": "threat"}) == ["en", "de"]
    good.write_text(json.dumps({"THREAT": ["en-US", "pt-BR", "nl", "en"]}))  # served per base language, as asked
    assert load_language_table(good)["THREAT"] == ["en", "pt", "nl"]  # (pt-br refused every comment: requests and
    # the detector are compared by base language)
    for content, message in (("{", "cannot read"), ('{"THREAT": "en"}', "JSON object"), ('{"NOPE": ["en"]}', "NOPE"),
                             ('{"THREAT": []}', "THREAT served in no language"),  # every comment refused
                             ('{"THREAT": ["en", "eng", "xx"]}', "knows no language eng, xx")):  # fmt: skip
        good.write_text(content)
        with pytest.raises(InputError, match=message):
            load_language_table(good)


def test_sentence_spans_and_utf16_offsets():
    text = "Hello world. You suck!  Really?\nYes"
    assert [text[b:e] for b, e in sentence_spans(text)] == ["Hello world.", "You suck!", "Really?", "Yes"]
    assert sentence_spans("no end mark") == [(0, 11)]
    assert sentence_spans("   ") == [(0, 3)]
    lines = "ok!\n" * 5120  # 20,480 bytes: 5,120 sentences would be 5,120 texts to score
    spans = sentence_spans(lines)
    assert len(spans) == 128 and all(lines[b:e] == "\n".join(["ok!"] * 40) for b, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(lines.rstrip())  # every sentence in one span, none lost
    assert all(end < begin for (_, end), (begin, _) in zip(spans, spans[1:], strict=False))
    spaced = "x" + " " * 20_000 + "y. z" + " \t\n " * 3 + "w"  # each run of spaces is read once, not once per space
    assert [spaced[b:e] for b, e in sentence_spans(spaced)] == ["x" + " " * 20_000 + "y.", "z", "w"]
    emoji = "a😀b"
    assert utf16_offsets(emoji) == [0, 1, 3, 4]
    assert utf16_offsets(emoji)[3] == len(emoji.encode("utf-16-le")) // 2


def test_model_version_follows_what_decides_scores(tmp_path, shipped_baseline_dir):
    copy = tmp_path / "baseline"
    shutil.copytree(shipped_baseline_dir, copy)
    version = model_version(copy)
    assert version == model_version(shipped_baseline_dir) and len(version) == 16
    (copy / "evaluation.json").write_text("{}")  # a report is not the model
    (copy / "README.md").write_text("a new model card")
    assert model_version(copy) == version
    meta = json.loads((copy / "baseline_meta.json").read_text())
    meta["rewritten"] = True
    (copy / "baseline_meta.json").write_text(json.dumps(meta))
    assert model_version(copy) != version  # the baseline's settings and thresholds live in its meta file


def test_settings_travel_to_worker_processes_through_the_environment(monkeypatch):
    settings = ServerSettings(model="baseline", port=9999, proxies=["FLIRTATION=insult"], qps=5)
    monkeypatch.setenv(SETTINGS_ENV, settings.to_env())
    assert ServerSettings.from_env() == settings
    assert settings.root_url() == "http://127.0.0.1:9999/"
    assert ServerSettings(public_url="https://mod.example.org").root_url() == "https://mod.example.org/"


_BURST = """
import sys, time
from cleanspeech.server.keys import FileQuota
quota, start = FileQuota(3, sys.argv[1]), float(sys.argv[2])
time.sleep(max(0.0, start - time.time()))  # both processes ask in the same one-second window
began = int(time.time())
allowed = sum(quota.allow("key-a") for _ in range(3)), quota.allow("key-b")
print(*allowed, began, int(time.time()))  # the windows it asked in: a loaded machine can stretch a burst past one
"""


def test_worker_processes_count_one_quota_in_their_shared_file(tmp_path):
    import subprocess
    import sys
    import time

    from cleanspeech.server.keys import FileQuota
    from cleanspeech.server.run import worker_settings

    assert worker_settings(ServerSettings(qps=3, redis="redis://cache:6379/0")).quota_file is None  # Redis counts
    assert worker_settings(ServerSettings()).quota_file is None  # no quota
    shared = worker_settings(ServerSettings(qps=3, workers=2))
    assert not shared.migrate and shared.quota_file and ServerSettings(**json.loads(shared.to_env())) == shared
    for _ in range(5):  # until both bursts fall in one window (each try starts a fresh one)
        start = str(int(time.time()) + 3.05)  # past both interpreters' start-up, early in a second
        command = [sys.executable, "-c", _BURST, shared.quota_file]
        burst = [subprocess.Popen([*command, start], stdout=subprocess.PIPE, text=True) for _ in range(2)]
        answers = sorted(process.communicate(timeout=60)[0].split() for process in burst)
        if len({window for answer in answers for window in answer[2:]}) == 1:
            break
    else:
        pytest.skip("the machine is too loaded for two processes to ask within one second")
    # six requests of one key in one second, three allowed in all (each process alone would have allowed three);
    # the other key is counted apart, each of its two requests within its quota
    assert sum(int(answer[0]) for answer in answers) == 3 and [answer[1] for answer in answers] == ["True", "True"]
    for damaged in ("null", "[1, []]", '[1, {"k": "x"}]', "[5", ""):  # a file cut short or damaged: a fresh window
        Path(shared.quota_file).write_text(damaged)
        assert FileQuota(3, shared.quota_file).allow("key-a")


def test_a_key_listed_twice_with_two_policies_is_refused_by_line(tmp_path):
    from cleanspeech.server.keys import read_keys

    keys = tmp_path / "keys.txt"
    keys.write_text("# team keys\nk-secret-1 policy=strict\nk-2\n\nk-secret-1 policy=strict  # again, same\n")
    assert read_keys(keys) == {"k-secret-1": "strict", "k-2": None}
    keys.write_text(keys.read_text() + "k-secret-1 policy=lenient\n")
    with pytest.raises(InputError, match="line 6: the key of line 2 again, with another policy") as refused:
        read_keys(keys)
    assert "k-secret-1" not in str(refused.value)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--proxy", "FLIRTATION=rude"], "bad --proxy"),
        (["--keys", "/nonexistent/keys.txt"], "cannot read the keys file"),
        (["--workers", "0"], "argument --workers: must be at least 1, not 0"),
        (["--port", "70000"], "--port must be at most 65535"),
        (["--timeout", "nan", "--max-wait-ms", "-1"], "at least 0; --timeout must be more than 0 seconds"),
        (["--timeout", "0"], "--timeout must be more than 0 seconds"),
        (["--store", "mysql+nodriver://x/y"], "cannot open the store"),
        (["--redis", "redis://127.0.0.1:1/0", "--qps", "3"], "cannot reach Redis"),
        (["--redis", "http://cache:6379", "--qps", "3"], "--redis http://cache:6379: Redis URL must specify"),
        (["--redis", "redis://127.0.0.1:1/0"], "give --qps N with it"),
        (["--model", "/nonexistent/model"], "neither a known model name"),
        (["--languages", "/nonexistent/languages.json"], "/nonexistent/languages.json"),
        (["--public-url", "notaurl"], "--public-url 'notaurl' is not an http(s) URL"),  # clients join paths to it
        (["--public-url", "https://h:99999/"], "is not an http(s) URL"),
        (["--public-url", "https://user:secret@h/"], "is not an http(s) URL"),  # would be published in discovery
        (["--public-url", "https://h/a b"], "is not an http(s) URL"),
        (["--public-url", "https://h/?x=1"], "is not an http(s) URL"),  # clients join each method's path to it
    ],
)
@pytest.mark.parametrize("workers", ["1", "2"])  # with several, the parent reads what each worker would
def test_serve_refuses_bad_settings_in_one_line(args, message, workers, capsys, tmp_path):
    from cleanspeech.cli import main

    code = 0
    try:
        code = main(["serve", "--port", str(_free_port()), "--store", str(tmp_path / "f.sqlite3"), "--workers",
                     workers, *args])  # fmt: skip
    except SystemExit as exit_:  # argparse's own refusals (a number out of range) exit from the parser
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len([line for line in err.strip().splitlines() if not line.startswith(" ")]) <= 2  # usage: and error:


def test_serve_refuses_a_port_another_server_holds_before_loading_the_model(capsys, tmp_path):
    import socket

    from cleanspeech.cli import main

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        argv = ["serve", "--port", str(port), "--model", "/nonexistent/model", "--store", str(tmp_path / "f.sqlite3")]
        assert main(argv) == 2  # the port is checked first: no model loads only to fail on bind
    err = capsys.readouterr().err
    assert err.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use"


def test_a_comment_the_queue_cannot_take_does_not_drop_the_others_written_with_it(tmp_path, shipped_baseline_dir):
    """The review-queue writer writes a batch in one transaction; when that fails it writes each comment alone."""
    from types import SimpleNamespace

    from cleanspeech.classifiers import load_model
    from cleanspeech.moderation import ModerationStore
    from cleanspeech.server.observability import Metrics
    from cleanspeech.server.queueing import Analyzed, PolicyCache, ReviewQueueWriter

    store = ModerationStore(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    model = load_model("baseline")
    state = SimpleNamespace(store=store, policies=PolicyCache(store), scorer=SimpleNamespace(model=model),
                            model_name="baseline", model_version="v", metrics=Metrics())  # fmt: skip
    texts = ["You are a disgusting idiot.", "Shut up, you moron.", "You stupid idiot."]
    comments = [Analyzed(t, model.predict_proba([t]).iloc[0].tolist(), "en", None, None, f"t{i}")
                for i, t in enumerate(texts)]  # fmt: skip
    comments[1].raw_scores = ["n/a"] * 6  # a comment whose scores cannot be read: it cannot be judged
    ReviewQueueWriter(state).write(comments)
    assert sorted(row["external_id"] for row in store.queue.page()) == ["t0", "t2"]
    store.close()


def test_a_long_request_is_scored_in_batches_and_its_queued_ones_dropped_when_it_gives_up(shipped_baseline_dir):
    import asyncio

    import numpy as np

    from cleanspeech.classifiers import load_model
    from cleanspeech.server.scoring import BatchingScorer

    model = load_model("baseline")
    texts = [f"you idiot number {i}" for i in range(50)]
    scorer = BatchingScorer(model, max_batch=8, max_wait_ms=1, in_flight=1)
    sizes = []
    scorer.on_batch = sizes.append

    async def scenario():
        whole = await scorer.score(texts)
        sizes.append("|")
        abandoned = asyncio.create_task(scorer.score(texts))  # a request that times out right after it is queued
        await asyncio.sleep(0)
        abandoned.cancel()
        small = await scorer.score(["thanks, that helped"])
        return whole, small

    whole, small = asyncio.run(scenario())
    scorer.close()
    assert np.allclose(whole, model.predict_proba(texts).to_numpy()) and small.shape == (1, 6)
    cut = sizes.index("|")
    assert sizes[:cut] == [8] * 6 + [2]  # 50 texts in batches of at most 8
    assert sum(sizes[cut + 1 :]) <= 8 + 1  # of the abandoned 50 at most the batch already taken, then the small one


def test_scoring_never_waits_behind_a_slow_job_and_a_job_whose_request_gave_up_never_runs(shipped_baseline_dir):
    """Explanations, rewrites and files run on a thread of their own: two slow explanations once held both model
    threads, and every analyze request behind them timed out."""
    import asyncio
    import threading

    from cleanspeech.classifiers import load_model
    from cleanspeech.server.scoring import BatchingScorer

    scorer = BatchingScorer(load_model("baseline"), max_batch=8, max_wait_ms=1)
    release, ran = threading.Event(), []

    async def scenario():
        slow = [asyncio.create_task(scorer.run(release.wait, 30)) for _ in range(2)]  # explanations taking time
        await asyncio.sleep(0.05)
        given_up = asyncio.create_task(scorer.run(ran.append, "late"))  # queued behind them
        await asyncio.sleep(0.05)
        given_up.cancel()  # its request timed out while it waited
        scores = await asyncio.wait_for(scorer.score(["you idiot", "thanks"]), 10)  # not behind the slow job
        still_running = not any(job.done() for job in slow)
        release.set()
        await asyncio.gather(*slow)
        await asyncio.sleep(0.05)
        return scores, still_running

    scores, still_running = asyncio.run(scenario())
    scorer.close()
    assert scores.shape == (2, 6) and still_running and ran == []


def test_without_keys_a_made_up_key_shares_its_addresss_quota(shipped_baseline_dir):
    from starlette.requests import Request

    from cleanspeech.server.keys import check_key

    def request(key):
        query = f"key={key}".encode() if key else b""
        return Request({"type": "http", "query_string": query, "headers": [], "client": ("10.0.0.7", 5)})

    assert {check_key(request(key), None) for key in ("a", "b", None)} == {"ip:10.0.0.7"}
    keyed = {check_key(request(key), {"a": None, "b": None}) for key in ("a", "b")}
    assert len(keyed) == 2 and all(identity.startswith("key:") for identity in keyed)  # a known key: its own


def test_a_batch_of_too_many_parts_is_refused_from_its_boundaries():
    from cleanspeech.server.batch import _check_part_count, parse_parts
    from cleanspeech.server.errors import ApiError

    part = b"--b1\r\nContent-Type: application/http\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n\r\n"
    body = part * 5 + b"--b1--\r\n"
    content_type = "multipart/mixed; boundary=b1"
    assert len(parse_parts(content_type, body)) == 5
    _check_part_count(content_type, body, 5)  # at the limit: on to the parser
    with pytest.raises(ApiError, match="Too many requests in batch: 5, the limit is 4"):
        _check_part_count(content_type, body, 4)
    _check_part_count('multipart/mixed; boundary="b1"', body, 5)  # a quoted boundary is the same one


def test_the_port_check_binds_as_the_server_would():
    import socket

    from cleanspeech.errors import InputError
    from cleanspeech.server.command import _check_listening

    with socket.socket() as held:  # an IPv4-only server on every interface
        held.bind(("0.0.0.0", 0))
        held.listen()
        port = held.getsockname()[1]
        for host in ("127.0.0.1", "0.0.0.0", ""):
            with pytest.raises(InputError, match="Address already in use"):
                _check_listening(host, port)
        if socket.has_ipv6:
            try:
                _check_listening("::1", 0)
            except InputError:
                pytest.skip("no IPv6 loopback here")
            _check_listening("::", port)  # IPv6-only, as asyncio binds it: the IPv4 server is no conflict
