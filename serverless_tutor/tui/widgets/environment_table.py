"""The execution environments of one function, one row each, updated in place."""

from __future__ import annotations

from textual.widgets import DataTable

from serverless_tutor.demos.playground import EnvironmentRow

# (label, key, width): fixed widths that hold the longest value ("59 min", "busy", "#99"),
# so a cell updated in place is never cut and the columns do not jump.
COLUMNS = (
    ("env", "env", 4),
    ("state", "state", 5),
    ("reqs", "requests", 5),
    ("age", "age", 6),
    ("idle", "idle", 6),
    ("start", "start", 5),
)


def fmt_span(seconds: float | None) -> str:
    """4.2 -> '4 s', 754 -> '12 min', None -> '-'."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class EnvironmentTable(DataTable):
    """Env number, busy or idle, requests served, age, idle time, whether its last start was cold."""

    DEFAULT_CSS = """
    EnvironmentTable {
        height: auto;
        max-height: 7;
    }
    """

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        for label, key, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(self, rows: list[EnvironmentRow]) -> None:
        cells = {row.id: self._cells(row) for row in rows}
        if [str(key.value) for key in self.rows] == list(cells):
            for env_id, values in cells.items():
                for (_, column, _), value in zip(COLUMNS, values, strict=False):
                    self.update_cell(env_id, column, value)
            return
        self.clear()
        for env_id, values in cells.items():
            self.add_row(*values, key=env_id)

    @staticmethod
    def _cells(row: EnvironmentRow) -> tuple[str, ...]:
        return (
            f"#{row.number}",
            row.state,
            str(row.invocations),
            fmt_span(row.age_s),
            fmt_span(row.idle_s),
            row.last_start or "-",
        )
