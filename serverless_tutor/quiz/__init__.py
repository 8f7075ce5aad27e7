"""Interview prep: the question bank, scoring, spaced repetition and mock interviews.

Kept import-light on purpose: `serverless_tutor.progress` imports
`serverless_tutor.quiz.state`, so this package must not pull in the bank loader,
the pricing engine or fsrs when it is imported.
"""
