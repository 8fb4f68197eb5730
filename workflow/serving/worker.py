"""gunicorn's threaded worker, with one change for hostile clients."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class HomewardWorker(ThreadWorker):  # type: ignore[misc]
    """Closing a connection lingers up to 2 s for the client to hang up (so the end of the last
    answer is not cut short). gunicorn lingers in the thread that accepts every connection, so a
    few clients that never hang up (slow readers cut off at their deadline) stalled everyone for
    seconds; here the linger runs in the thread pool instead."""

    def finish_request(self, conn: Any, fs: Future[Any]) -> None:
        if not self._closing(fs):
            super().finish_request(conn, fs)
            return
        self.nr_conns -= 1
        try:
            self.tpool.submit(conn.close, True)
        except RuntimeError:  # the pool is shutting down with the worker: close here
            conn.close()

    @staticmethod
    def _closing(fs: Future[Any]) -> bool:
        """Whether the request's thread ended the connection (neither kept alive nor deferred)."""
        return not fs.cancelled() and fs.exception() is None and fs.result() is False
