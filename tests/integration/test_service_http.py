"""The service's wire format, field by field, over raw HTTP (httpx) against a real server on loopback."""

import json
import re

import httpx
import numpy as np
import pytest

from tests.helpers.service import assert_google_error
from tests.integration.conftest import KEY, OTHER_KEY

pytestmark = pytest.mark.xdist_group("service")
ANALYZE = "/v1alpha1/comments:analyze"


def analyze(http, text, attributes=None, **fields):
    body = {"comment": {"text": text}, "requestedAttributes": attributes or {"TOXICITY": {}}, **fields}
    return http.post(ANALYZE, json=body)


def test_every_answer_names_the_model_its_version_and_the_proxies(http):
    for response in (analyze(http, "Nice work."), analyze(http, ""), http.get("/healthz"), http.get("/nowhere")):
        assert response.headers["x-cleanspeech-model"] == "baseline"
        assert len(response.headers["x-cleanspeech-model-version"]) == 16
        assert response.headers["x-cleanspeech-attribute-proxies"] == "FLIRTATION=insult, SEXUALLY_EXPLICIT=obscene"


def test_keys_are_read_from_the_query_the_header_and_a_bearer_token(service):
    body = {"comment": {"text": "Nice work."}, "requestedAttributes": {"TOXICITY": {}}}
    assert httpx.post(f"{service}{ANALYZE}?key={KEY}", json=body).status_code == 200
    assert httpx.post(f"{service}{ANALYZE}", json=body, headers={"X-Goog-Api-Key": OTHER_KEY}).status_code == 200
    assert httpx.post(f"{service}{ANALYZE}", json=body, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    missing = assert_google_error(httpx.post(f"{service}{ANALYZE}", json=body), 403, "PERMISSION_DENIED")
    assert missing["message"] == "The request is missing a valid API key."
    bad = assert_google_error(httpx.post(f"{service}{ANALYZE}?key=nope", json=body), 400, "INVALID_ARGUMENT")
    assert bad["message"] == "API key not valid. Please pass a valid API key."


def test_span_offsets_count_utf16_code_units(http):
    text = "I love this 😀😀. You are an idiot!"  # two emoji before the second sentence: +2 code units
    spans = analyze(http, text, spanAnnotations=True).json()["attributeScores"]["TOXICITY"]["spanScores"]
    second = text.index("You")
    assert [(s["begin"], s["end"]) for s in spans] == [(0, second - 1 + 2), (second + 2, len(text) + 2)]
    whole = analyze(http, text).json()["attributeScores"]["TOXICITY"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in whole] == [(0, len(text.encode("utf-16-le")) // 2)]


def test_score_threshold_drops_scores_below_it(http):
    attributes = {"TOXICITY": {"scoreThreshold": 0.5}, "THREAT": {"scoreThreshold": 0.5}, "INSULT": {}}
    scores = analyze(http, "You are a stupid idiot.", attributes).json()["attributeScores"]
    assert set(scores) == {"TOXICITY", "INSULT"}  # THREAT is far below 0.5 for an insult


def test_aliases_proxies_snake_case_and_context_are_accepted(http):
    body = {"comment": {"text": "You are a stupid idiot.", "type": "PLAIN_TEXT"},
            "requested_attributes": {"TOXICITY_EXPERIMENTAL": {}, "SEXUALLY_EXPLICIT": {}, "FLIRTATION": {}},
            "languages": ["en-US"], "do_not_store": True, "sessionId": "s1", "communityId": "c1",
            "context": {"entries": [{"text": "The article.", "type": "PLAIN_TEXT"}]}, "someFutureField": 1}  # fmt: skip
    response = http.post(ANALYZE, json=body)
    assert response.status_code == 200, response.text
    scores = response.json()["attributeScores"]
    assert set(scores) == {"TOXICITY_EXPERIMENTAL", "SEXUALLY_EXPLICIT", "FLIRTATION"}
    insult = analyze(http, "You are a stupid idiot.", {"INSULT": {}}).json()["attributeScores"]["INSULT"]
    assert scores["FLIRTATION"]["summaryScore"] == insult["summaryScore"]  # the declared proxy label, not a guess
    assert response.json()["languages"] == ["en-US"]


def test_both_context_forms_are_refused(http):
    context = {"entries": [{"text": "a"}], "articleAndParentComment": {"article": {"text": "b"}}}
    error = assert_google_error(analyze(http, "Nice work.", context=context), 400, "INVALID_ARGUMENT")
    assert error["message"].startswith("Context can have either entries or article_and_parent_comment")


def test_context_is_read_as_the_discovery_document_types_it(http):
    deep = json.loads("[" * 600 + "1" + "]" * 600)  # an untyped context once made storing it recurse to a 500
    body = {"comment": {"text": "you idiot"}, "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "context": {"articleAndParentComment": {"article": {"text": "The news."}, "x": deep}}}  # fmt: skip
    assert http.post("/v1alpha1/comments:suggestscore", json=body).status_code == 200  # unknown fields: ignored
    body["context"] = {"articleAndParentComment": {"article": deep}}
    assert_google_error(http.post("/v1alpha1/comments:suggestscore", json=body), 400, "INVALID_ARGUMENT")
    body["context"] = None
    body["attributeScores"]["TOXICITY"]["spanScores"] = [{"begin": 0, "end": 3, "score": {"value": 0.9}, "x": deep}]
    assert http.post("/v1alpha1/comments:suggestscore", json=body).status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\x00\xff\xfe binary \x89PNG", "application/json"),
        (b'{"comment": {"text": "unterminated', "application/json"),
        (b'{"comment": {"text": 5}, "requestedAttributes": {"TOXICITY": {}}}', "application/json"),
        (b'{"comment": "just a string", "requestedAttributes": []}', "application/json"),
        (b'["a", "list"]', "application/json"),
        (b'{"comment": {"text": "\\ud800 lone surrogate"}, "requestedAttributes": {"TOXICITY": {}}}',
         "application/json"),
        (b'{"comment": {"text": "ok then"}, "requestedAttributes": {"TOXICITY": {}}, "clientToken": "\\udfff"}',
         "application/json"),
        (b"comment=hello", "application/x-www-form-urlencoded"),
        (b'{"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, "n": ' + b"9" * 5000 + b"}",
         "application/json"),
    ],
)  # fmt: skip
def test_malformed_bodies_get_a_clean_400(http, content, content_type):
    response = http.post(ANALYZE, content=content, headers={"Content-Type": content_type})
    error = assert_google_error(response, 400, "INVALID_ARGUMENT")
    if content.startswith(b'{"comment": {"text": "unterminated'):  # a place in the body, not a field named "21"
        [violation] = [d for d in error["details"] if "fieldViolations" in d][0]["fieldViolations"]
        assert violation["field"] == "body" and violation["description"].endswith("at character 21")
    if b"9999" in content:  # valid UTF-8 JSON, which Python reads numbers of at most 4,300 digits in
        assert error["message"].endswith("holds a number of more than 4,300 digits.")


def test_a_body_over_the_limit_is_refused_before_it_is_read(http):
    body = json.dumps({"comment": {"text": "a" * (1 << 20)}, "requestedAttributes": {"TOXICITY": {}}})
    error = assert_google_error(http.post(ANALYZE, content=body), 413, "INVALID_ARGUMENT")
    assert error["message"] == "Request payload size exceeds the limit: 1048576 bytes."

    def chunks():  # no Content-Length: the limit still holds
        for _ in range(20):
            yield b"x" * 65536

    assert_google_error(http.post(ANALYZE, content=chunks()), 413, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "text",
    [
        "\u202eI hate you all\u202c and \u200bzero\u200dwidth",  # bidi overrides, zero-width characters
        "أنت غبي جدا",  # Arabic (RTL), not a served language: refused unless lenient
        "<script>alert('you idiot')</script><b>bold</b>",
        "\x00\x01 control characters \x7f",
    ],
)
def test_odd_text_is_scored_or_refused_cleanly(http, text):
    response = analyze(http, text, languages=None)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"]["details"][0]["errorType"].startswith("LANGUAGE_")
    else:
        assert 0 <= response.json()["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1


def test_html_comes_back_as_data_never_as_markup(http):
    text = "<img src=x onerror=alert(1)> you idiot"
    response = analyze(http, text, clientToken="<b>token</b>")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["clientToken"] == "<b>token</b>"


def test_native_score_explain_and_rewrite(http):
    scored = http.post("/v1/score", json={"texts": ["You are a disgusting idiot.", "Thanks for the fix!"]}).json()
    assert scored["model"] == "baseline" and len(scored["version"]) == 16
    first, second = scored["results"]
    assert "insult" in first["flagged"] and second["flagged"] == []
    assert set(first["scores"]) == set(scored["thresholds"])
    explained = http.post("/v1/explain", json={"text": "You are a disgusting idiot."}).json()
    top = max(explained["words"], key=lambda w: w["scores"]["toxic"])
    assert top["word"].strip(".").lower() in ("idiot", "disgusting")
    rewritten = http.post("/v1/rewrite", json={"text": "You are a disgusting idiot."}).json()
    assert rewritten["backend"] == "local" and "idiot" not in rewritten["rewrite"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/v1/score", {"texts": []}, 400),
        ("/v1/score", {"texts": ["  "]}, 400),
        ("/v1/score", {"texts": ["\u200b \u200d\ufeff"]}, 400),
        ("/v1/score", {"texts": ["x"] * 1001}, 400),
        ("/v1/score", {"texts": "not a list"}, 400),
        ("/v1/explain", {"text": "You idiot", "label": "rude"}, 400),
        ("/v1/explain", {"text": "You idiot", "method": "shap"}, 400),  # shap is for the transformer
        ("/v1/rewrite", {"text": ""}, 400),
        ("/v1/rewrite", {"text": "\x1d"}, 400),  # a separator control: white space to Python, not to every regex
        ("/v1/score", {"texts": ["ok", "\x1c\x1f "]}, 400),
    ],
)
def test_native_api_refuses_bad_requests_cleanly(http, path, body, status):
    assert_google_error(http.post(path, json=body), status, "INVALID_ARGUMENT")


def test_health_readiness_and_metrics(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz").json()
    assert ready["status"] == "ready" and ready["model"] == "baseline"
    analyze(http, "You are a disgusting idiot.")
    analyze(http, "")
    metrics = http.get("/metrics").text
    assert 'cleanspeech_requests_total{code="200",route="/v1alpha1/comments:analyze"}' in metrics
    assert 'cleanspeech_errors_total{error_type="COMMENT_EMPTY",status="INVALID_ARGUMENT"}' in metrics
    assert "cleanspeech_request_seconds_bucket" in metrics and "cleanspeech_batch_texts_count" in metrics


def test_openapi_document_describes_the_native_api(http):
    paths = http.get("/openapi.json").json()["paths"]
    assert {"/v1/score", "/v1/explain", "/v1/rewrite", "/v1alpha1/comments:analyze", "/batch"} <= set(paths)
    ids = [operation["operationId"] for path in paths.values() for operation in path.values()]
    assert len(ids) == len(set(ids))  # unique: code generators name a function after each
    assert set(paths["/healthz"]) == {"get"}  # HEAD is answered, but is no second operation
    for page in ("/docs", "/redoc"):  # readable offline: every script and style sheet comes from this server
        html = http.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
        assert assets and all(a.startswith("/") and http.get(a).status_code == 200 for a in assets), assets
        assert "cdn." not in html


def test_perspective_answers_calibrated_probabilities_and_the_native_api_keeps_the_raw_ones(http):
    from cleanspeech.evaluation.calibration import Calibration
    from cleanspeech.paths import models_dir

    calibration = Calibration.load(models_dir() / "baseline")
    assert calibration is not None, "models/baseline/calibration.json is missing: run python scripts/calibrate.py"
    text = "You are a disgusting idiot and everybody knows it."
    native = http.post("/v1/score", json={"texts": [text]}).json()["results"][0]
    perspective = analyze(http, text, {"TOXICITY": {}, "INSULT": {}}).json()["attributeScores"]
    for attribute, label in (("TOXICITY", "toxic"), ("INSULT", "insult")):
        assert perspective[attribute]["summaryScore"]["value"] == native["calibrated"][label]
    labels = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
    raw = np.array([[native["scores"][label] for label in labels]])
    # The raw scores come back rounded to 6 decimals, and near 1 calibration magnifies that rounding: allow what a
    # half-unit shift of the raw score moves the calibrated one, plus the answer's own rounding.
    low, high = (calibration.apply(np.clip(raw + shift, 0, 1))[0, 0] for shift in (-5e-7, 5e-7))
    assert min(low, high) - 1e-6 <= native["calibrated"]["toxic"] <= max(low, high) + 1e-6
    assert native["calibrated"]["toxic"] != native["scores"]["toxic"]


def _micro_batched_and_alone(model, texts):
    import asyncio

    import numpy as np

    from cleanspeech.server.scoring import BatchingScorer

    scorer = BatchingScorer(model, max_batch=64, max_wait_ms=20)
    sizes = []
    scorer.on_batch = sizes.append

    async def together():
        return await asyncio.gather(*(scorer.score([text]) for text in texts))

    batched = np.vstack(asyncio.run(together()))
    alone = np.vstack([model.predict_proba([text]).to_numpy() for text in texts])
    scorer.close()
    assert sizes == [len(texts)]  # one forward pass for the four requests
    return batched, alone


BATCHED = ["You are a disgusting idiot.", "Thanks, this fixed it!", "I will hurt you " * 60, "Nette Arbeit, danke."]


def test_a_transformer_scores_a_comment_the_same_alone_or_micro_batched(shipped_transformer):
    """The shipped transformer serves fp32 ONNX: padding is masked, so a batch moves a score by float rounding at
    most, under the six decimals the API answers with. Batching changes the speed, not a score."""
    import numpy as np

    assert shipped_transformer.backend == "onnx"
    batched, alone = _micro_batched_and_alone(shipped_transformer, BATCHED)
    np.testing.assert_allclose(batched, alone, rtol=0, atol=5e-7)


def test_int8_scores_a_comment_bit_for_bit_the_same_alone_or_micro_batched():
    """int8 quantises activations per run, so it runs each window alone (see TransformerModel): bit for bit."""
    from cleanspeech.classifiers import model_path
    from cleanspeech.classifiers.transformer import TransformerModel

    int8 = TransformerModel.load(model_path("transformer"), backend="onnx-int8")
    batched, alone = _micro_batched_and_alone(int8, BATCHED)
    assert (batched == alone).all()
