"""Per-target GETBULK max-repetitions that backs off on tooBig and timeouts, and the
bound on a walk's rows that every walker (gufo, our codec, pysnmp in a context) keeps."""

import threading

START_MAX_REPETITIONS = 25
MIN_MAX_REPETITIONS = 1
MAX_REMEMBERED_TABLES = 200_000
MAX_WALK_ROWS = 200_000  # a walk that long is an agent looping, not a table


class MaxRepetitions:
    """Remembers, per target key, the max-repetitions that last worked.

    Starts at 25; ``shrink`` halves it (never below 1). Shared across sessions
    (and threads) so one timeout teaches every later walk of that target.
    """

    def __init__(self, start: int = START_MAX_REPETITIONS, floor: int = MIN_MAX_REPETITIONS):
        self.start = start
        self.floor = floor
        self._values: dict[object, int] = {}
        self._rows: dict[object, int] = {}
        self._lock = threading.Lock()

    def get(self, key: object) -> int:
        with self._lock:
            return self._values.get(key, self.start)

    def shrink(self, key: object) -> int:
        with self._lock:
            value = max(self.floor, self._values.get(key, self.start) // 2)
            self._values[key] = value
            return value

    def reset(self, key: object) -> None:
        with self._lock:
            self._values.pop(key, None)

    def for_table(self, key: object, table: object) -> int:
        """Max-repetitions for a walk of ``table``: the target's value, but no more than
        the rows that table had last time plus one (to see its end in the same PDU), so
        a 4-row table is not answered with 25 rows, most of them past its end."""
        with self._lock:
            value = self._values.get(key, self.start)
            rows = self._rows.get((key, table))
        return value if rows is None else max(self.floor, min(value, rows + 1))

    def remember_rows(self, key: object, table: object, rows: int) -> None:
        with self._lock:
            if len(self._rows) > MAX_REMEMBERED_TABLES:
                self._rows.clear()
            self._rows[(key, table)] = rows
