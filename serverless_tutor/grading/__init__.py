"""Grading: run a learner's handler in the sandbox against an exercise's tests.

    runner.Grader / runner.grade   grade a file; results.CheckResult (Exercism v3 + points)
    workspace.Workspace            the learner's copies of the starters
    learner                        status, hints, give-ups and solutions (progress)
    watch.WatchLoop                re-check on save

Import the modules themselves: this package stays light so `hint` and `reset`
do not load the sandbox and moto.
"""
