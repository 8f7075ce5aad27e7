"""A one-shot check loads only what it needs: its own exercise, the moto services it uses.

The import test runs in a fresh interpreter: what a process imports is process-wide,
and the test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

from serverless_tutor.content.exercises import shipped_exercise

DRIVER = """
import json, sys
from serverless_tutor.content.exercises import find_exercise, shipped_exercises
from serverless_tutor.grading.runner import grade

exercise = find_exercise(shipped_exercises(), sys.argv[1])
result = grade(exercise, exercise.solution)
report = {"status": result.status, "sns_after_check": "moto.sns.models" in sys.modules}

# Whoever imports SNS later (here moto's SES models, which import it at module level)
# gets it with the outbox's wrap already applied: no delivery can leave the account.
import moto.ses.models  # noqa: F401
sns_models = sys.modules["moto.sns.models"]
report["publish_wrapped_by"] = sns_models.Subscription.publish.__module__
report["sns_requests"] = type(sns_models.requests).__name__
print(json.dumps(report))
"""


def test_a_dynamodb_only_check_does_not_load_sns_and_sns_loaded_later_is_wrapped(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, "get-user"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"SERVERLESS_TUTOR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {
        "status": "pass",
        "sns_after_check": False,
        "publish_wrapped_by": "serverless_tutor.cloud.outbox",
        "sns_requests": "_NoNetwork",
    }


PAST_THE_HOOK = """
import json, sys
from serverless_tutor.cloud.account import LocalAccount

account = LocalAccount()
# Another import hook ahead of ours could load SNS without it: the next call wraps it.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "AfterImport"]
import moto.sns.models as sns_models

before = sns_models.Subscription.publish.__module__
account.client("dynamodb").list_tables()
print(json.dumps([before, sns_models.Subscription.publish.__module__, type(sns_models.requests).__name__]))
"""


def test_sns_loaded_past_the_import_hook_is_wrapped_before_the_next_call_is_served():
    done = subprocess.run(
        [sys.executable, "-c", PAST_THE_HOOK],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        "moto.sns.models",
        "serverless_tutor.cloud.outbox",
        "_NoNetwork",
    ]


def test_one_shipped_exercise_loads_alone_the_same_and_an_id_is_never_a_path(exercises):
    for exercise in exercises:
        assert shipped_exercise(exercise.id) == exercise
    for not_an_exercise in ("no-such", "packs", "../exercises/create-order", "create-order/", ""):
        assert shipped_exercise(not_an_exercise) is None
