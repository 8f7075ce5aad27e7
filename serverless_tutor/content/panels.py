"""The live panels a lesson may list in its front matter.

This is the engine-side registry (ids and one-line descriptions) so content can be
validated without importing the UI. `serverless_tutor.tui.panels` maps each id to
its widget; a test keeps the two in step. Add an id here only when its panel exists.
"""

PANELS: dict[str, str] = {}
