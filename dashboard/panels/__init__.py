"""The dashboard's panels as data: pure `fetch(state, now_ms) -> PanelData` functions.

Nothing here imports Textual: the same numbers serve the TUI, the browser version, tests and
benchmarks, and they are read from the same `EventState` queries `eventops status` uses.
"""
