"""What the service refuses, or answers differently by setting: bodies it cannot read, formats it does not serve,
comments with nothing visible, a suggested score that is no probability, probes, and `--uncalibrated`."""

import httpx
import pytest

from tests.helpers.service import assert_google_error
from tests.integration.conftest import KEY

ANALYZE = "/v1alpha1/comments:analyze"
# The session's one server per worker (integration conftest), shared with the other service modules.
pytestmark = pytest.mark.xdist_group("service")


def test_a_body_that_is_not_utf8_is_named_as_such(http):
    body = b'{"comment": {"text": "caf\xe9"}, "requestedAttributes": {"TOXICITY": {}}}'  # Latin-1, not UTF-8
    response = http.post(ANALYZE, content=body, headers={"Content-Type": "application/json"})
    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["message"] == "Invalid JSON payload received. The body is not JSON in UTF-8."
    deep = '{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "x": ' + "[" * 5000 + "]" * 5000 + "}"
    response = http.post(ANALYZE, content=deep, headers={"Content-Type": "application/json"})  # valid UTF-8 JSON
    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    assert error["message"] == "Invalid JSON payload received. The body nests arrays or objects too deeply."
    good = b'{"comment": {"text": "You idiot."}, "requestedAttributes": {"TOXICITY": {}}}'
    for encoding in ("utf-16", "utf-32"):  # Python's JSON parser reads these too; JSON over HTTP is UTF-8
        response = http.post(ANALYZE, content=good.decode().encode(encoding),
                             headers={"Content-Type": "application/json"})  # fmt: skip
        assert assert_google_error(response, 400, "INVALID_ARGUMENT")["message"].endswith("not JSON in UTF-8.")
        assert http.post("/v1/score", content='{"texts": ["hi"]}'.encode(encoding),
                         headers={"Content-Type": "application/json"}).status_code == 400  # fmt: skip
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):  # JSON under another name: say which
        error = assert_google_error(http.post(ANALYZE, content=good, headers={"Content-Type": content_type}), 400,
                                    "INVALID_ARGUMENT")  # fmt: skip
        assert error["message"].endswith(f"with Content-Type: application/json (not {content_type}).")
    for headers in ({}, {"Content-Type": ""}):  # no type: FastAPI does not read the body as JSON, and says so
        error = assert_google_error(http.post(ANALYZE, content=good, headers=headers), 400, "INVALID_ARGUMENT")
        assert error["message"].endswith("with Content-Type: application/json (the request names none).")


def test_protobuf_answers_are_refused_and_probes_may_use_head(http):
    body = {"comment": {"text": "You idiot."}, "requestedAttributes": {"TOXICITY": {}}}
    assert http.post(f"{ANALYZE}?alt=json", json=body).status_code == 200  # what Google's clients send
    error = assert_google_error(http.post(f"{ANALYZE}?alt=proto", json=body), 400, "INVALID_ARGUMENT")
    assert error["message"] == "alt=proto is not supported: this server answers JSON only (alt=json)."
    for path in ("/healthz", "/readyz"):
        response = http.head(path)
        assert response.status_code == 200 and not response.content


def test_a_comment_with_nothing_visible_is_empty_on_every_api(http):
    for text in (
        "   \n\t",
        "\u200b\u200e",
        "\ufeff ",
        "\x00",
        "\x01\x02",
        "\u2800",
        "\u3164 \uffa0",
        "\U000e0100",
        "\u180b",
        "\U000e0041\U000e007f",
        "\U0001d173",
    ):  # variation selectors, tags, musical formatting
        body = {"comment": {"text": text}, "languages": ["en"], "requestedAttributes": {"TOXICITY": {}}}
        error = assert_google_error(http.post(ANALYZE, json=body), 400, "INVALID_ARGUMENT")
        assert error["message"] == "Comment must be non-empty."  # not scored, even where the language is given
        error = assert_google_error(http.post("/v1/score", json={"texts": ["ok", text]}), 400, "INVALID_ARGUMENT")
        assert "'texts.1': must hold a visible character" in error["message"]


def test_unspecified_text_type_is_plain_text_and_a_suggested_score_must_be_a_probability(http):
    scored = http.post(ANALYZE, json={"comment": {"text": "You idiot.", "type": "TEXT_TYPE_UNSPECIFIED"},
                                      "requestedAttributes": {"TOXICITY": {}}})  # fmt: skip
    assert scored.status_code == 200, scored.text
    for value in (1.5, -0.1, "NaN"):
        body = {"comment": {"text": "You idiot."}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": value}}}}
        assert_google_error(http.post("/v1alpha1/comments:suggestscore", json=body), 400, "INVALID_ARGUMENT")


def test_uncalibrated_changes_perspectives_answers_only(service, shipped_baseline, tmp_path):
    """`--uncalibrated`: Perspective's API answers the raw probabilities, while /v1/score still gives both."""
    from cleanspeech.server import ServerSettings, create_app
    from tests.helpers.service import bound_socket, running

    sock = bound_socket()
    settings = ServerSettings(model="baseline", port=sock.getsockname()[1], store=str(tmp_path / "store.sqlite3"),
                              uncalibrated=True, max_wait_ms=0)  # fmt: skip
    body = {"comment": {"text": "This edit is a bit dumb, honestly."}, "requestedAttributes": {"TOXICITY": {}}}
    calibrated_server = httpx.post(f"{service}/v1/score?key={KEY}", json={"texts": [body["comment"]["text"]]}).json()
    with running(create_app(settings, model=shipped_baseline), sock) as url:
        answered = httpx.post(f"{url}{ANALYZE}", json=body).json()["attributeScores"]["TOXICITY"]["summaryScore"]
        scored = httpx.post(f"{url}/v1/score", json={"texts": [body["comment"]["text"]]}).json()["results"][0]
    assert answered["value"] == pytest.approx(scored["scores"]["toxic"], abs=1e-6)  # raw, not calibrated
    assert scored["calibrated"] == calibrated_server["results"][0]["calibrated"]  # /v1/score: as without the flag
    assert scored["calibrated"]["toxic"] != pytest.approx(scored["scores"]["toxic"], abs=1e-3)


def test_perspective_methods_are_offered_in_json_only(http):
    discovery = http.get("/$discovery/rest?version=v1alpha1").json()
    assert discovery["parameters"]["alt"]["enum"] == ["json"]  # what is served; alt=proto is refused


def test_uncalibrated_goes_without_a_damaged_calibration(shipped_baseline_dir, shipped_baseline, tmp_path):
    import shutil

    from cleanspeech.errors import ModelNotFound
    from cleanspeech.server import ServerSettings, create_app
    from tests.helpers.service import bound_socket, running

    model_dir = tmp_path / "baseline"
    shutil.copytree(shipped_baseline_dir, model_dir)
    (model_dir / "calibration.json").write_text("{damaged")
    sock = bound_socket()
    settings = ServerSettings(model=str(model_dir), port=sock.getsockname()[1], store=str(tmp_path / "s.sqlite3"),
                              max_wait_ms=0)  # fmt: skip
    with pytest.raises(ModelNotFound, match="calibration.json"):
        create_app(settings, model=shipped_baseline)  # calibrated answers need it: said at start, not per request
    settings.uncalibrated = True
    with running(create_app(settings, model=shipped_baseline), sock) as url:
        scored = httpx.post(f"{url}/v1/score", json={"texts": ["You idiot."]}).json()["results"][0]
    assert scored["calibrated"] is None and scored["scores"]["toxic"] > 0.5


def test_a_flag_or_a_number_of_the_wrong_type_is_refused_not_read_as_another(http):
    comment = {"text": "You idiot."}
    for body in ({"comment": comment, "requestedAttributes": {"TOXICITY": {"scoreThreshold": True}}},
                 {"comment": comment, "requestedAttributes": {"TOXICITY": {}}, "spanAnnotations": "yes"},
                 {"comment": comment, "requestedAttributes": {"TOXICITY": {}}, "doNotStore": 1}):  # fmt: skip
        assert_google_error(http.post(ANALYZE, json=body), 400, "INVALID_ARGUMENT")
    numeric = {"comment": comment, "requestedAttributes": {"TOXICITY": {"scoreThreshold": "0.1"}},
               "spanAnnotations": "true"}  # proto3 JSON: numbers and flags may come as strings  # fmt: skip
    scored = http.post(ANALYZE, json=numeric).json()["attributeScores"]["TOXICITY"]
    assert scored["summaryScore"]["value"] > 0.1 and scored["spanScores"]
    span = {"begin": "0", "end": "1e1", "score": {"value": "0.9"}}  # an integer in exponent notation, as proto3 allows
    suggestion = {"comment": {"text": "You idiot."}, "attributeScores": {"TOXICITY": {"spanScores": [span]}}}
    assert http.post("/v1alpha1/comments:suggestscore", json=suggestion).status_code == 200
    span["end"] = "1.5"
    assert_google_error(http.post("/v1alpha1/comments:suggestscore", json=suggestion), 400, "INVALID_ARGUMENT")


def test_the_key_is_checked_before_the_body_and_the_schema_patterns_read_in_javascript(http, service):
    import re

    unkeyed = httpx.post(f"{service}{ANALYZE}", content='{"comment": {"text": "hi"}}'.encode("utf-16"),
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert_google_error(unkeyed, 403, "PERMISSION_DENIED")  # not the body's fault first
    schema = http.get("/openapi.json").text
    patterns = re.findall(r'"pattern":\s*"((?:[^"\\]|\\.)*)"', schema)
    assert patterns and not any("\\U" in pattern for pattern in patterns)  # ECMAScript has no \U escape


def test_a_method_not_allowed_says_which_are(http):
    response = http.get(ANALYZE)
    assert_google_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "POST"
