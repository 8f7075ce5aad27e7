"""Regenerate docs/screenshot.svg (the README's picture) from the app itself.

python docs/screenshot.py
"""

import asyncio
import tempfile
from pathlib import Path

from serverless_tutor.progress import ProgressStore
from serverless_tutor.tui.app import TutorApp

OUTPUT = Path(__file__).with_name("screenshot.svg")


async def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        app = TutorApp(store=ProgressStore(Path(home)))
        async with app.run_test(size=(120, 40)) as pilot:
            await app.open_lesson("cold-starts")
            await pilot.pause()
            panel = app.screen.query_one("#lesson-panels")
            app.screen.query_one("#lesson-view").scroll_to_widget(panel, animate=False, top=True)
            await pilot.pause(0.5)
            app.save_screenshot(str(OUTPUT))
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    asyncio.run(main())
