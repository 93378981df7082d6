"""A moderation policy, and the one verdict it gives a scored comment.

A policy is what a community decides once and every surface applies: which model scores (`auto`: the language-aware
ensemble where it is shipped), which labels matter, per label the score at which a comment goes to human review and
the score at which it is removed outright, severity bands, a blocklist (phrases that remove a comment whatever the
model says, matched through evasions) and an allowlist (words the community uses in good faith, hidden from the
model and the blocklist). Policies are stored by name with a version that grows on every change
(`PolicyBook`), so each decision records exactly which rules were in force.
"""

from dataclasses import asdict, dataclass, field, fields, replace

from ..errors import InputError
from ..labels import LABEL_NAMES, LABELS, is_threshold
from .matching import find_phrases

ACTIONS = ("allow", "review", "remove")
# Severity names in rising order; a verdict of `allow` is always "none".
SEVERITIES = ("none", "low", "medium", "high", "critical")
DEFAULT_REMOVE = 0.9  # a model this sure is right about removals far more often than not (Jigsaw val precision)
# The lower edge of each band above "low", on the highest score among the labels that matter.
DEFAULT_BANDS = {"medium": 0.5, "high": 0.8, "critical": 0.95}


@dataclass(frozen=True)
class Verdict:
    action: str  # allow, review or remove
    severity: str  # one of SEVERITIES
    reasons: tuple[str, ...]  # what a moderator reads: "Threat 0.93 ≥ remove at 0.90", "blocklist: 'kill yourself'"
    labels: tuple[str, ...]  # the labels at or over their review threshold
    blocklist_hits: tuple[str, ...] = ()

    @property
    def severity_rank(self) -> int:
        return SEVERITIES.index(self.severity)


@dataclass(frozen=True)
class Policy:
    name: str = "default"
    version: int = 0  # 0 until stored; the store numbers versions 1, 2, ...
    description: str = ""
    model: str = "auto"
    labels: tuple[str, ...] = LABELS  # the labels this community acts on
    # Per label: score that sends a comment to review (None: the model's own tuned threshold), and that removes it.
    review: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(LABELS))
    remove: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LABELS, DEFAULT_REMOVE))
    bands: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BANDS))
    blocklist: tuple[str, ...] = ()
    allowlist: tuple[str, ...] = ()
    blocklist_severity: str = "high"
    communities: tuple[str, ...] = ()  # the service applies this policy to requests with these communityIds

    def __post_init__(self):
        # A policy may name only the thresholds it changes (the rest keep the defaults), and lists as JSON gives them.
        base = {"review": dict.fromkeys(LABELS), "remove": dict.fromkeys(LABELS, DEFAULT_REMOVE)}
        for key, defaults in base.items():
            value = getattr(self, key)
            if isinstance(value, dict):
                value = {k: _number(v) for k, v in {**defaults, **value}.items()}
            object.__setattr__(self, key, value)
        if isinstance(self.bands, dict):
            object.__setattr__(self, "bands", {k: _number(v) for k, v in self.bands.items()})
        for key in ("labels", "blocklist", "allowlist", "communities"):
            value = getattr(self, key)
            if not isinstance(value, list | tuple):  # a bare string would become one phrase per character
                raise InputError(f"the policy's {key} is a list, not {type(value).__name__}")
            if key == "communities":  # a number stored by an earlier release matches the communityId it names
                value = [_community_text(item) for item in value]
            object.__setattr__(self, key, tuple(value))
        _validate(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Policy":
        if not isinstance(data, dict):
            raise InputError("a policy is a JSON object")
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise InputError(f"unknown policy field(s): {', '.join(sorted(unknown))}")
        return cls(**data)

    def to_dict(self) -> dict:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    def changed(self, **changes) -> "Policy":
        """A copy with `changes` applied and validated (the store gives it the next version)."""
        return replace(self, **changes)

    def review_thresholds(self, model_thresholds: dict[str, float]) -> dict[str, float]:
        """Per label, the review threshold in force: the policy's own, else the model's tuned one."""
        return {label: (t if t is not None else float(model_thresholds[label])) for label, t in self.review.items()}

    def judge(self, scores: dict, model_thresholds: dict[str, float], text: str = "") -> Verdict:
        """The verdict for one comment: its scores under this policy, and its text against the blocklist."""
        review = self.review_thresholds(model_thresholds)
        hits = tuple(find_phrases(text, self.blocklist)) if self.blocklist and text else ()
        # min(): a policy that removes below the model's own review threshold still names the label it removed for
        over_review = tuple(label for label in self.labels
                            if float(scores[label]) >= min(review[label], self.remove[label]))  # fmt: skip
        over_remove = tuple(label for label in self.labels if float(scores[label]) >= self.remove[label])
        reasons = [f"blocklist: '{hit}'" for hit in hits]
        for label in over_review:
            name, score = LABEL_NAMES[label], float(scores[label])
            reasons.append(f"{name} {score:.2f} ≥ remove at {self.remove[label]:.2f}" if label in over_remove
                           else f"{name} {score:.2f} ≥ review at {review[label]:.2f}")  # fmt: skip
        action = "remove" if hits or over_remove else "review" if over_review else "allow"
        return Verdict(action, self._severity(action, scores, hits), tuple(reasons), over_review, hits)

    def _severity(self, action: str, scores: dict, hits: tuple) -> str:
        if action == "allow":
            return "none"
        top = max((float(scores[label]) for label in self.labels), default=0.0)
        severity = "low"
        for band in SEVERITIES[2:]:
            if band in self.bands and top >= self.bands[band]:
                severity = band
        if hits and SEVERITIES.index(self.blocklist_severity) > SEVERITIES.index(severity):
            severity = self.blocklist_severity
        return severity


def _number(value):
    """A threshold as a float (JSON may give 1 or 0); anything else is left for `_validate` to refuse."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _community_text(item: object) -> object:
    """A whole number as the communityId it names (42 and 42.0 both "42"); anything else as it is."""
    if isinstance(item, bool) or not isinstance(item, int | float):
        return item
    return str(int(item)) if float(item).is_integer() else item


def _first_not_text(items) -> object:
    return next(item for item in items if not isinstance(item, str))


def _validate(policy: Policy) -> None:
    if not policy.name or not str(policy.name).strip():
        raise InputError("a policy needs a name")
    bad = [str(label) for label in policy.labels if label not in LABELS]  # a dict or a number too: no set, no sort
    if bad or not policy.labels:
        raise InputError(f"a policy's labels are some of {', '.join(LABELS)}; got {', '.join(bad) or 'none'}")
    for key in ("review", "remove"):
        table = getattr(policy, key)
        if not isinstance(table, dict) or set(table) != set(LABELS):
            raise InputError(f"the policy's {key} thresholds are per label, for {', '.join(LABELS)}")
        for label, value in table.items():
            if value is None and key == "review":
                continue
            if not is_threshold(value):
                raise InputError(f"the {key} threshold of {label} must be a number from 0 to 1, not {value!r}")
    for label in LABELS:
        if policy.review[label] is not None and policy.review[label] > policy.remove[label]:
            raise InputError(f"{label}: the review threshold is above the remove threshold")
    if not isinstance(policy.bands, dict):
        raise InputError("the policy's bands are {band: lowest score}")
    unknown_bands = set(policy.bands) - set(SEVERITIES[2:])
    if unknown_bands:
        raise InputError(f"severity bands are {', '.join(SEVERITIES[2:])}; got {', '.join(sorted(unknown_bands))}")
    if any(not isinstance(v, float) or not 0.0 <= v <= 1.0 for v in policy.bands.values()):
        raise InputError("each severity band starts at a number from 0 to 1")
    if policy.blocklist_severity not in SEVERITIES[1:]:
        raise InputError(f"blocklist_severity is one of {', '.join(SEVERITIES[1:])}")
    for key in ("blocklist", "allowlist"):
        phrases = getattr(policy, key)
        if any(not isinstance(p, str) or not any(ch.isalpha() for ch in p) for p in phrases):
            raise InputError(f"each phrase of the {key} needs a letter (an empty or all-wildcard one would match "
                             "every comment)")  # fmt: skip


def check_before_saving(policy: Policy) -> None:
    """What a policy must be to be saved, beyond what reading one checks: versions stored by earlier releases still
    load (and can be mended), but a new version is held to these. Text fields are text, a name is one line without
    spaces at either end (`policy list` prints one per line), lists hold strings (42 would never equal the communityId
    "42"; a communityId is never empty), and the severity bands rise (`check_bands_rise`)."""
    for key in ("name", "description", "model"):
        if not isinstance(getattr(policy, key), str):
            raise InputError(f"the policy's {key} is a string, not {type(getattr(policy, key)).__name__}")
    if policy.name != policy.name.strip() or not policy.name.isprintable():
        raise InputError(f"a policy's name is one line without spaces at either end, not {policy.name!r}")
    for key in ("labels", "blocklist", "allowlist", "communities"):
        if not all(isinstance(item, str) for item in getattr(policy, key)):
            raise InputError(f"the policy's {key} is a list of strings; got {_first_not_text(getattr(policy, key))!r}")
    if any(not community.strip() for community in policy.communities):
        raise InputError("each of the policy's communities is a communityId, not an empty string")
    check_bands_rise(policy)


def check_bands_rise(policy: Policy) -> None:
    """Refuse severity bands that do not rise with the score (medium from 0.99 above high from 0.80: a score would be
    high but not medium). Checked when a policy is saved, not when one is read: versions stored before the check
    still load, and can be mended."""
    bands = [(band, policy.bands[band]) for band in SEVERITIES[2:] if band in policy.bands]
    for (lower, start), (higher, above) in zip(bands, bands[1:], strict=False):
        if start > above:
            raise InputError(
                f"severity bands rise with the score: {lower} starts at {start:g}, above {higher} at {above:g}"
            )
