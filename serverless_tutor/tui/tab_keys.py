"""Digit keys for tabs: the n-th tab of a TabbedContent is key n, and its label says so.

The owner of the tabs defines `action_show_tab(tab_id)`; a text field that has focus
keeps typing digits (it consumes printable keys before bindings run).
"""

from __future__ import annotations

from textual.binding import Binding


def tab_bindings(tabs: dict[str, str]) -> list[Binding]:
    """One hidden binding per tab (listed in `?` as "<title> tab"), keys 1, 2, 3…"""
    return [
        Binding(str(number), f"show_tab('{tab_id}')", f"{title} tab", show=False)
        for number, (tab_id, title) in enumerate(tabs.items(), start=1)
    ]


def tab_label(tabs: dict[str, str], tab_id: str) -> str:
    """The tab's title after its key: "2 Editor"."""
    return f"{list(tabs).index(tab_id) + 1} {tabs[tab_id]}"
