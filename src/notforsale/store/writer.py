"""Group commit for the service's hot path: the screenings of all requests waiting at once
are written in one transaction.

A request handler computes its rows, hands them to :meth:`GroupWriter.record` and awaits
its case id. The first row to arrive schedules a flush with ``call_soon``, which runs
after every handler already ready on the event loop has handed in its rows too, so under
load one transaction (a few multi-row inserts and one commit) serves many requests, and
with a single request in flight nothing waits for a timer. If the transaction fails,
every request in it gets the error; nothing of it is kept.

One writer per event loop and engine; the service makes one in ``create_app``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from .audit import seal
from .repository import write_screenings

log = logging.getLogger(__name__)

#: Most screenings written in one transaction (the rest wait for the next).
MAX_BATCH = 500


class GroupWriter:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pending: list[tuple[Mapping[str, Any], asyncio.Future[int | None]]] = []
        self.batches = 0  # transactions written (for tests and metrics)

    async def record(self, rows: Mapping[str, Any]) -> int | None:
        """Write one screening's rows (:func:`repository.screening_rows`); its case id."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((rows, future))
        return await future

    def _flush(self) -> None:
        batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        if self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        if not batch:
            return
        try:
            with self._engine.begin() as connection:
                case_ids = write_screenings(connection, [rows for rows, _ in batch])
                seal(connection)
        except Exception as error:
            log.error("writing %d screenings failed: %s", len(batch), type(error).__name__)
            if len(batch) > 1:
                # One bad request must not fail the good ones in its batch: each alone.
                self._one_by_one(batch)
            elif not batch[0][1].done():
                batch[0][1].set_exception(error)
            return
        self.batches += 1
        for (_, future), case_id in zip(batch, case_ids, strict=True):
            if not future.done():  # a client that went away cancels its future
                future.set_result(case_id)

    def _one_by_one(self, batch: list[tuple[Mapping[str, Any], asyncio.Future[int | None]]]
                    ) -> None:
        for rows, future in batch:
            try:
                with self._engine.begin() as connection:
                    (case_id,) = write_screenings(connection, [rows])
                    seal(connection)
            except Exception as error:  # only this request fails
                if not future.done():
                    future.set_exception(error)
                continue
            self.batches += 1
            if not future.done():
                future.set_result(case_id)
