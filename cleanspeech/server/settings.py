"""Everything `cleanspeech serve` can be told, in one object that worker processes rebuild from the environment."""

import json
import os
from dataclasses import asdict, dataclass, field

SETTINGS_ENV = "CLEANSPEECH_SERVER_SETTINGS"  # how `--workers N` hands the settings to each worker process


@dataclass
class ServerSettings:
    model: str = "transformer"  # a shipped model name or a model directory
    host: str = "127.0.0.1"  # loopback by default: expose it on purpose (--host 0.0.0.0), behind TLS
    port: int = 8080
    workers: int = 1
    public_url: str | None = None  # the discovery document's rootUrl; default http://host:port/ (discovery.root_url)
    keys_file: str | None = None  # one key per line; without it every caller is served
    qps: int | None = None  # requests per second per key (or per address without keys)
    store: str | None = None  # the moderation store (suggestscore, the review queue); None: CLEANSPEECH_STORE or
    # cleanspeech.sqlite3 in the checkout, the one the app uses
    queue: bool = True  # analyzed comments not marked doNotStore go to the review queue when the policy flags them
    redis: str | None = None  # share the per-key quota between replicas
    quota_file: str | None = None  # where `--workers N` count the quota together without Redis (`run.serve` sets it)
    languages_file: str | None = None  # JSON {ATTRIBUTE: [codes]} replacing the default language lists
    lenient_languages: bool = False  # score comments in any language instead of Perspective's refusal
    uncalibrated: bool = False  # answer Perspective's API with the model's raw probabilities, not calibrated ones
    proxies: list[str] = field(default_factory=list)  # ATTRIBUTE=label answers for attributes we do not model
    max_batch: int = 64  # texts per forward pass when requests are batched together
    max_wait_ms: float = 5.0  # how long a request waits for others to share its forward pass (0: no batching)
    timeout_s: float = 30.0  # a request still unscored after this is answered 504 DEADLINE_EXCEEDED
    max_body_bytes: int = 1 << 20  # one request body; /batch and /v1/files:score get `max_batch_body_bytes`
    max_batch_body_bytes: int = 64 << 20
    max_texts: int = 1000  # texts per /v1/score request (and parts per /batch)
    migrate: bool = True  # run the store's migrations at start-up (the parent does it once for --workers N)

    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address is bracketed in a URL
        url = self.public_url or f"http://{host}:{self.port}/"
        return url if url.endswith("/") else url + "/"

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "ServerSettings":
        return cls(**json.loads(os.environ[SETTINGS_ENV]))
