"""`POST /v1/files:score`: a whole comment file (CSV in any common dialect, or .xlsx) scored in one request.

The service's batch path for files. It reads the upload with the same strict reader as the CLI and the app
(`cleanspeech.serving.read_table`) and scores it with the same `score_frame`, so a malformed file gets the same
answer everywhere: refused with the line numbers (400), or, with `lenient=true`, its malformed rows kept whole and
marked. The answer keeps every input row and column, adds a status column and the served model's scores.
"""

import asyncio
import functools
import json
import re
from typing import Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request, Response

from ..errors import InputError
from ..serving import (
    SCORED_STATUSES,
    neutralize_formulas,
    read_table,
    renamed_inputs_notice,
    require_column,
    score_frame,
    status_column,
    xlsx_bytes,
)
from .errors import ERROR_RESPONSES, ApiError
from .state import Service, authorize

router = APIRouter(tags=["CleanSpeech"], responses=ERROR_RESPONSES)
PATH = "/v1/files:score"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTICES_HEADER = "X-CleanSpeech-Notices"  # what reading the file needed saying (delimiter, encoding), as JSON
_FILE_BODY = {
    "required": True,
    "description": "The file's bytes: CSV (comma, semicolon or tab; UTF-8, UTF-16 or Windows-1252) or .xlsx.",
    "content": {kind: {"schema": {"type": "string", "format": "binary"}} for kind in ("text/csv", XLSX_TYPE)},
}
_ANSWERS = {200: {"description": "The scored file: every input row and column, `status`, then the scores.",
                  "content": {"text/csv": {}, XLSX_TYPE: {}, "application/json": {}}}}  # fmt: skip


def _read(body: bytes, name: str, column: str, lenient: bool):
    try:
        table = read_table(body, name=name, lenient=lenient, keep_how="with ?lenient=true")
        require_column(list(table.frame.columns), column, table.name, "Name it with ?column=NAME.")
    except InputError as exc:
        raise ApiError(400, str(exc), "INVALID_FILE") from exc
    return table


def _answer(scored: pd.DataFrame, output: str, safe_cells: bool, notices: list[str], stem: str) -> Response:
    headers = {NOTICES_HEADER: json.dumps(notices)}  # ASCII: json.dumps escapes the rest
    if output == "json":  # the original text, as JSON output always keeps it; a missing score is null
        rows = json.loads(scored.to_json(orient="records", force_ascii=False))
        return Response(json.dumps({"notices": notices, "rows": rows}, ensure_ascii=False),
                        media_type="application/json", headers=headers)  # fmt: skip
    headers["Content-Disposition"] = f'attachment; filename="{stem}_scored.{output}"'
    if output == "xlsx":
        try:
            return Response(xlsx_bytes(scored), media_type=XLSX_TYPE, headers=headers)  # text cells: never formulas
        except InputError as exc:
            raise ApiError(400, str(exc), "INVALID_FILE") from exc
    cells = neutralize_formulas(scored) if safe_cells else scored
    return Response(cells.to_csv(index=False), media_type="text/csv; charset=utf-8", headers=headers)


@router.post(PATH, dependencies=[Depends(authorize)], response_class=Response, responses=_ANSWERS,
             openapi_extra={"requestBody": _FILE_BODY})  # fmt: skip
async def score_file(
    request: Request,
    state: Service,
    column: str = Query("comment_text", description="The column that holds the comments."),
    lenient: bool = Query(False, description="Keep malformed rows whole, marked as errors and not scored."),
    output: Literal["csv", "xlsx", "json"] = Query("csv", description="The answer's format."),
    safe_cells: bool = Query(True, description="CSV and .xlsx: a leading ' on cells a spreadsheet would run."),
    name: str | None = Query(None, description="The file's name, for messages (and .xlsx by its suffix)."),
) -> Response:
    """Score every row of an uploaded comment file with the served model."""
    body = await request.body()
    is_xlsx = request.headers.get("content-type", "").startswith(XLSX_TYPE)
    name = name or ("upload.xlsx" if is_xlsx else "upload.csv")
    table = await asyncio.to_thread(_read, body, name, column, lenient)  # a large file is read off the event loop
    served = {state.model_name: state.scorer.model}
    notices = table.notices + ([f"{table.name} has a header but no rows"] if table.frame.empty else [])  # as the CLI
    if notice := renamed_inputs_notice(table.frame.columns, served):
        notices.append(notice)
    score = functools.partial(score_frame, row_errors=table.row_errors)
    # Not bound by --timeout: a file takes as long as its rows (the docs say so), and a 504 would throw the work away
    scored = await state.scorer.run(score, table.frame, column, served)
    state.metrics.comments.inc(int(scored[status_column(table.frame.columns)].isin(SCORED_STATUSES).sum()))
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", name.rsplit(".", 1)[0])[:80] or "upload"  # a safe header value
    return _answer(scored, output, safe_cells, notices, stem)
