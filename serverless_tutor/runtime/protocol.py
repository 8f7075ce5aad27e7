"""The parent's view of the worker protocol: every frame a worker sends is checked
against these models before anything in it is used. A frame that does not fit is a
protocol violation and ends the environment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
)

# A duration in milliseconds: finite and not negative (JSON has no NaN or Infinity, but
# the parser accepts the bare words, so they are refused here).
Milliseconds = (
    Annotated[StrictFloat, Field(ge=0, allow_inf_nan=False)] | Annotated[StrictInt, Field(ge=0)]
)


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ErrorPayload(_Frame):
    errorMessage: StrictStr
    errorType: StrictStr
    requestId: StrictStr = ""
    stackTrace: list[StrictStr] = Field(default_factory=list, max_length=10_000)


class HelloFrame(_Frame):
    t: Literal["hello"]
    isolation: list[StrictStr]
    missing: list[StrictStr]
    refused: StrictBool
    detail: StrictStr = ""


class InitDoneFrame(_Frame):
    t: Literal["init_done"]
    error: ErrorPayload | None
    init_ms: Milliseconds


class CallFrame(_Frame):
    t: Literal["call"]
    method: StrictStr = Field(max_length=16)
    url: StrictStr = Field(max_length=8192)
    headers: dict[StrictStr, StrictStr]
    body_b64: StrictStr


class ResultFrame(_Frame):
    t: Literal["result"]
    request_id: StrictStr
    payload: StrictStr | None
    error: ErrorPayload | None
    duration_ms: Milliseconds
    out_of_memory: StrictBool


WorkerFrame = Annotated[
    HelloFrame | InitDoneFrame | CallFrame | ResultFrame, Field(discriminator="t")
]
worker_frame = TypeAdapter(WorkerFrame)
