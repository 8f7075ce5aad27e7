"""What a Gradescope autograder's run_autograder runs: grade one submission, write results.json.

    python -m serverless_tutor.grading.gradescope_run --pack PACK.yaml \
        --submission /autograder/submission --results /autograder/results/results.json

The same engine as `serverless-tutor grade`, on a class of one. A problem with the
autograder itself (a bad pack, a submission folder that is not there) still
writes a results.json that says what went wrong, and exits 1 so Gradescope marks
the run as failed rather than showing a silent zero.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from serverless_tutor.atomic_write import write_atomically
from serverless_tutor.content.packs import load_pack
from serverless_tutor.grading.classroom import ClassSetupError, grade_class
from serverless_tutor.grading.gradescope import GradescopeResults, results_for, stage_submission
from serverless_tutor.problems import ContentError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradescope_run", description=__doc__.splitlines()[0])
    parser.add_argument("--pack", type=Path, required=True)
    parser.add_argument("--submission", type=Path, required=True)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        pack = load_pack(args.pack)
        if not args.submission.is_dir():
            raise ClassSetupError(f"{args.submission}: the submission folder is missing")
        with tempfile.TemporaryDirectory(prefix="gradescope-") as scratch:
            staging = stage_submission(args.submission, Path(scratch) / "submissions", pack)
            run = grade_class(pack, staging, Path(scratch) / "out", jobs=args.jobs)
        results = results_for(pack, run)
        code = 0
    except (ContentError, ClassSetupError, OSError) as exc:
        results = GradescopeResults(
            score=0.0, output=f"The autograder could not grade this submission: {exc}"
        )
        code = 1
    write_atomically(args.results, results.model_dump_json(indent=2, exclude_none=True))
    return code


if __name__ == "__main__":
    sys.exit(main())
