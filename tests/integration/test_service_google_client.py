"""google-api-python-client, unchanged but for the discovery URL, against `cleanspeech serve` on loopback; and what
the clients' discovery and batches meet that a well-behaved client never sends (raw batch parts, Host headers)."""

import json

import httpx
import pytest
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from tests.helpers.service import assert_google_error
from tests.integration.conftest import KEY, URL_KEY

pytestmark = pytest.mark.xdist_group("service")
ANALYZE = "/v1alpha1/comments:analyze"
SIX = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"]


def build(url: str, key: str = KEY, path: str = "/$discovery/rest?version={apiVersion}"):
    return discovery.build("commentanalyzer", "v1alpha1", developerKey=key, discoveryServiceUrl=url + path,
                           static_discovery=False, cache_discovery=False)  # fmt: skip


@pytest.fixture(scope="module")
def client(service):
    return build(service)


def analyze(client, text, attributes=("TOXICITY",), **fields):
    body = {"comment": {"text": text}, "requestedAttributes": {name: {} for name in attributes}, **fields}
    return client.comments().analyze(body=body).execute()


def test_quickstart_scores_the_six_attributes_with_perspective_shape(client):
    response = analyze(client, "You are a disgusting idiot.", SIX, clientToken="comment:42")
    assert set(response["attributeScores"]) == set(SIX)
    toxicity = response["attributeScores"]["TOXICITY"]
    assert toxicity["summaryScore"]["type"] == "PROBABILITY" and toxicity["summaryScore"]["value"] > 0.8
    assert toxicity["spanScores"] == [{"begin": 0, "end": 27, "score": toxicity["summaryScore"]}]
    assert response["languages"] == ["en"] and response["detectedLanguages"] == ["en"]
    assert response["clientToken"] == "comment:42"
    polite = analyze(client, "Thank you for the careful review, it helped a lot.", SIX)
    assert polite["attributeScores"]["TOXICITY"]["summaryScore"]["value"] < 0.2


def test_the_older_discovery_path_works_too(service):
    old = build(service, path="/discovery/v1/apis/{api}/{apiVersion}/rest")
    assert "TOXICITY" in analyze(old, "What a lovely day.")["attributeScores"]


def test_span_annotations_score_each_sentence(client):
    response = analyze(client, "Hello world. You suck!", ("TOXICITY", "INSULT"), spanAnnotations=True)
    spans = response["attributeScores"]["INSULT"]["spanScores"]
    assert [(s["begin"], s["end"]) for s in spans] == [(0, 12), (13, 22)]
    assert spans[0]["score"]["value"] < 0.5 < spans[1]["score"]["value"]


def test_batch_of_many_requests_answers_each_by_its_id(client):
    texts = ["You stupid moron.", "Have a good weekend, everyone!", "", "I will find you and hurt you."] * 5
    answers = {}

    def collect(request_id, response, exception):
        answers[request_id] = (response, exception)

    batch = client.new_batch_http_request(callback=collect)
    for i, text in enumerate(texts):  # HELM uses the comment itself as the request id
        body = {"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}, "THREAT": {}}}
        batch.add(client.comments().analyze(body=body), request_id=f"{i}:{text}")
    batch.execute()
    assert len(answers) == len(texts)
    for i, text in enumerate(texts):
        response, error = answers[f"{i}:{text}"]
        if not text:
            assert isinstance(error, HttpError) and error.reason == "Comment must be non-empty."
            continue
        assert error is None
        alone = analyze(client, text, ("TOXICITY", "THREAT"))
        assert response["attributeScores"] == alone["attributeScores"]  # batched with others or alone: one score
    threat = {text: answers[f"{i}:{text}"][0]["attributeScores"]["THREAT"]["summaryScore"]["value"]
              for i, text in enumerate(texts[:4]) if text}  # fmt: skip
    assert threat["I will find you and hurt you."] > 10 * threat["Have a good weekend, everyone!"]


def test_suggestscore_answers_like_perspective(client):
    body = {"comment": {"text": "This comment was approved."}, "clientToken": "comment:7", "communityId": "Coral:x",
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0}}}}  # fmt: skip
    response = client.comments().suggestscore(body=body).execute()
    assert response == {"clientToken": "comment:7", "detectedLanguages": ["en"], "requestedLanguages": []}


def _error(call) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value


def _error_type(error: HttpError) -> str | None:
    return next((d.get("errorType") for d in error.error_details if "errorType" in d), None)


@pytest.mark.parametrize(
    ("body", "message", "error_type"),
    [
        ({"comment": {"text": ""}, "requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty.",
         "COMMENT_EMPTY"),
        ({"comment": {"text": "é" * 10_241}, "requestedAttributes": {"TOXICITY": {}}},
         "Comment text was too many bytes. Value (20482) exceeded limit (20480).", "COMMENT_TOO_LONG"),
        ({"comment": {"text": "Nice photo."}, "requestedAttributes": {"ATTACK_ON_COMMENTER": {}}},
         "Unknown requested attribute: ATTACK_ON_COMMENTER", "INVALID_REQUEST"),
        ({"comment": {"text": "Nice photo."}}, "Missing requested_attributes", "NO_REQUESTED_ATTRIBUTES"),
        ({"comment": {"text": "Che bella foto."}, "languages": ["it"], "requestedAttributes": {"PROFANITY": {}}},
         "Attribute PROFANITY does not support request languages: it", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"),
        ({"comment": {"text": "que nada"}, "requestedAttributes": {"THREAT": {}}},  # Spanish or Portuguese: not English
         "Attribute THREAT does not support request languages: und", "LANGUAGE_DETECTION_FAILED"),
        ({"comment": {"text": "Vete a la mierda"}, "requestedAttributes": {"THREAT": {}}},
         "Attribute THREAT does not support request languages: es", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"),
        ({"comment": {"text": "مرحبا أيها الأحمق، لا أحد يحبك"}, "requestedAttributes": {"TOXICITY": {}}},
         "Attribute TOXICITY does not support request languages: ar", "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"),
        ({"comment": {"text": "Nice photo."}, "requestedAttributes": {"TOXICITY": {"scoreType": "STD_DEV_SCORE"}}},
         "Requested score type STD_DEV_SCORE is not supported by attribute TOXICITY", "INVALID_REQUEST"),
    ],
)  # fmt: skip
def test_errors_carry_perspectives_message_and_error_type(client, body, message, error_type):
    error = _error(client.comments().analyze(body=body).execute)
    assert error.status_code == 400 and error.reason == message
    assert _error_type(error) == error_type


@pytest.mark.parametrize("text", ["stupid", "Willy Was A Retard!!!", "12345 678", "👍"])
def test_short_comments_detection_is_unsure_of_are_scored_not_refused(client, text):
    # "stupid" reads as Italian (0.32; English 0.18), the others as no language: English stays likely enough
    answer = analyze(client, text, ("THREAT", "INSULT", "TOXICITY"))
    assert set(answer["attributeScores"]) == {"THREAT", "INSULT", "TOXICITY"}
    assert answer["languages"] == answer["detectedLanguages"]  # what was detected, not a language made up


def test_a_bad_key_is_refused_with_googles_words(service):
    error = _error(lambda: build(service, key="not-a-key"))  # refused on the discovery request already
    assert error.status_code == 400 and error.reason == "API key not valid. Please pass a valid API key."
    assert error.error_details[0]["reason"] == "API_KEY_INVALID"


def test_behind_a_proxy_that_serves_it_under_a_path_discovery_calls_and_batches_work(
    service_settings, shipped_baseline
):
    """An ingress serves the service at https://h/perspective/ and strips the path; --public-url says so. The client
    writes each batch part's request line under that path, which reaches the app unstripped: every part was 404."""
    from dataclasses import replace

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from cleanspeech.server import create_app
    from tests.helpers.service import bound_socket, running

    front, back = bound_socket(), bound_socket()
    public = f"http://127.0.0.1:{front.getsockname()[1]}/perspective/"
    settings = replace(service_settings[0], public_url=public, port=back.getsockname()[1])

    async def strip_the_path(request):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{back.getsockname()[1]}", timeout=60) as upstream:
            path = request.url.path.removeprefix("/perspective")
            headers = {k: v for k, v in request.headers.items() if k != "host"}
            reply = await upstream.request(request.method, path, params=request.query_params,
                                           content=await request.body(), headers=headers)  # fmt: skip
        kept = {k: v for k, v in reply.headers.items() if k not in ("content-length", "transfer-encoding")}
        return Response(reply.content, status_code=reply.status_code, headers=kept)

    proxy = Starlette(routes=[Route("/perspective/{rest:path}", strip_the_path, methods=["GET", "POST"])])
    with running(create_app(settings, model=shipped_baseline), back), running(proxy, front):
        client = build(public.rstrip("/"))
        assert "TOXICITY" in analyze(client, "You stupid moron.")["attributeScores"]
        answers = {}
        batch = client.new_batch_http_request(callback=lambda i, response, error: answers.update({i: error}))
        for text in ("You stupid moron.", "Have a good weekend."):
            batch.add(
                client.comments().analyze(body={"comment": {"text": text}, "requestedAttributes": {"INSULT": {}}})
            )
        batch.execute()
        assert len(answers) == 2 and all(error is None for error in answers.values()), answers


def test_a_batch_part_that_cannot_be_sent_fails_alone(http):
    """A part whose target or headers no HTTP request can carry gets its own 400; the other parts are answered and
    the connection stays usable."""

    def part(content_id: str, request_line: str, *headers: str) -> bytes:
        body = json.dumps({"comment": {"text": "You idiot."}, "requestedAttributes": {"TOXICITY": {}}})
        head = "\r\n".join([request_line, "Content-Type: application/json", *headers])
        return (f"--b\r\nContent-Type: application/http\r\nContent-ID: <{content_id}>\r\n\r\n{head}\r\n\r\n{body}"
                "\r\n").encode()  # fmt: skip

    body = (part("good", f"POST {ANALYZE} HTTP/1.1") + part("bad-url", "POST http://[::1 HTTP/1.1")
            + part("bad-header", f"POST {ANALYZE} HTTP/1.1", "X-Note: café")
            + part("nested", "POST /batch HTTP/1.1") + part("spelt", "POST /%62atch HTTP/1.1")
            + b"--b--\r\n")  # fmt: skip
    response = http.post("/batch", content=body, headers={"content-type": "multipart/mixed; boundary=b"})
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    statuses = {cid: text.split(f"<response-{cid}>", 1)[1].split("HTTP/1.1 ", 1)[1][:3] for cid in
                ("good", "bad-url", "bad-header", "nested", "spelt")}  # fmt: skip
    assert statuses == {"good": "200", "bad-url": "400", "bad-header": "400", "nested": "400", "spelt": "400"}
    assert "Traceback" not in text and "cannot be sent" in text and "cannot itself be a batch" in text
    assert http.get("/healthz").status_code == 200
    keyless = part("keyless", f"POST {ANALYZE} HTTP/1.1") + b"--b--\r\n"  # takes the batch's key, escaped
    response = httpx.post(f"{str(http.base_url).rstrip('/')}/batch", params={"key": URL_KEY}, content=keyless,
                          headers={"content-type": "multipart/mixed; boundary=b"})  # fmt: skip
    assert "HTTP/1.1 200" in response.text, response.text  # was: "key+with" read back as "key with"
    garbage = part("good", f"POST {ANALYZE} HTTP/1.1") + part("garbage", "GARBAGE LINE") + b"--b--\r\n"
    response = http.post("/batch", content=garbage, headers={"content-type": "multipart/mixed; boundary=b"})
    error = assert_google_error(response, 400, "INVALID_ARGUMENT")  # not a request for the path "LINE"
    assert error["message"] == "Batch part 2 does not hold an HTTP request line."
    for empty in (b"", b"--b--\r\n"):
        response = http.post("/batch", content=empty, headers={"content-type": "multipart/mixed; boundary=b"})
        error = assert_google_error(response, 400, "INVALID_ARGUMENT")  # the type is right: the parts are missing
        assert error["message"].startswith("The batch holds no requests")


def test_a_server_on_every_address_points_clients_at_the_address_they_used(http, service_settings, shipped_baseline):
    """On 0.0.0.0 (or ::) the discovery document said http://0.0.0.0:8080/ (or the invalid http://:::8080/): a
    remote client was sent to its own machine. It now names the address the request reached, marked not to be
    cached (that is the client's Host header); a server on one address names that one, whatever the header."""
    from dataclasses import replace

    from cleanspeech.server import ServerSettings, create_app
    from tests.helpers.service import bound_socket, running

    pinned = http.get("/$discovery/rest", params={"version": "v1alpha1"}, headers={"host": "elsewhere.example"})
    assert pinned.json()["rootUrl"] == f"http://127.0.0.1:{service_settings[0].port}/"  # --host 127.0.0.1
    sock = bound_socket()
    settings = replace(service_settings[0], host="0.0.0.0", port=sock.getsockname()[1], keys_file=None)
    with running(create_app(settings, model=shipped_baseline), sock) as url:
        answer = httpx.get(f"{url}/$discovery/rest", headers={"host": "mod.internal:8443"})
    assert answer.json()["rootUrl"] == "http://mod.internal:8443/" and answer.headers["cache-control"] == "no-store"
    assert ServerSettings(host="::", port=8080).root_url() == "http://[::]:8080/"  # what the log prints
