"""The base of every request model: JSON in the camelCase clients send or proto's snake_case, text that is UTF-8.

JSON can carry a lone UTF-16 surrogate (`"\\ud800"`) that no UTF-8 text can hold; such a string is refused as
invalid input here, before it could reach a tokenizer or a JSON answer that cannot encode it.
"""

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator
from pydantic.alias_generators import to_camel


def _check_utf8(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("the string holds a lone UTF-16 surrogate, which is not valid Unicode text") from None
    elif isinstance(value, list):
        for item in value:
            _check_utf8(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_utf8(key)
            _check_utf8(item)
    return value


def _not_true_or_false(value):
    if isinstance(value, bool):  # pydantic reads true as 1: a threshold of true dropped every score
        raise ValueError("a number is expected, not true or false")
    return value


def _whole_number(value):
    value = _not_true_or_false(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+(?:\.\d*)?[eE][+-]?\d+|-?\d+\.0*", value):
        number = float(value)  # proto3 JSON writes an integer as a string too, in any notation ("1e1" is 10)
        return int(number) if number.is_integer() else value
    return value  # digits alone stay exact: pydantic reads them


# Proto3 JSON, which Perspective parses: a number field takes a number (or its string), a bool field true or false
Number = BeforeValidator(_not_true_or_false)
WholeNumber = BeforeValidator(_whole_number)


def _true_or_false(value):
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):  # proto3 JSON parsers take the words as strings too
        return value == "true"
    raise ValueError("true or false is expected")  # "yes" and 1 were read as true


Flag = Annotated[bool | None, BeforeValidator(_true_or_false)]


class Message(BaseModel):
    """Accepts `requestedAttributes` and `requested_attributes` alike and ignores fields it does not know."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_unicode(cls, value):
        return _check_utf8(value)
