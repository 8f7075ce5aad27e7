"""The engines of the lesson panels, and the trusted code they run.

One module per panel engine (playground, order_pipeline, patterns_lab, api_console,
baas_signup; deployed_example is what the four account-backed ones share). The code
they run is data beside them: single-file demo handlers in handlers/, and whole
example services (serverless.yml + handlers) in examples/. Both are found through
this module's own path so they work from a wheel as well as from a checkout.
"""

from pathlib import Path

HANDLERS_DIR = Path(__file__).resolve().parent / "handlers"
