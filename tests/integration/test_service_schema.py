"""Property-based tests of the native API from its own OpenAPI document (schemathesis): whatever a generated request
holds, the answer is documented, in the documented shape, and never a server error.

Hypothesis drives schemathesis' strategy for each operation directly (`as_strategy()`), one test per operation with
its own example budget and, for `/v1/explain`, its own list of checks.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from tests.integration.conftest import KEY

pytestmark = pytest.mark.xdist_group("service")
OPERATIONS = ["POST /v1/score", "POST /v1/explain", "POST /v1/rewrite", "POST /v1/files:score", "GET /healthz",
              "GET /readyz"]  # fmt: skip


@pytest.fixture(scope="module")
def native_schema(service):
    return schemathesis.openapi.from_url(f"{service}/openapi.json")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_native_api_answers_every_generated_request_as_documented(native_schema, operation):
    method, path = operation.split()
    endpoint = native_schema[path][method]

    # Which explanation methods apply depends on the served model, which the schema cannot say: a method of another
    # family is a documented 400 there, not a rejected valid request. Likewise any bytes are a file to the schema,
    # and a malformed one is a documented 400.
    excluded = [positive_data_acceptance] if path in ("/v1/explain", "/v1/files:score") else []

    @given(case=endpoint.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(headers={"X-Goog-Api-Key": KEY}, excluded_checks=excluded)

    check()
