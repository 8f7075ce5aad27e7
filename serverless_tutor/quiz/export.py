"""Write a session (usually a mock interview) to Markdown, to review later."""

from __future__ import annotations

from pathlib import Path

from serverless_tutor.atomic_write import write_atomically
from serverless_tutor.quiz.models import SECTION_TITLES
from serverless_tutor.quiz.scoring import fit_text
from serverless_tutor.quiz.session import AnswerRecord, QuizSession

INTERVIEWS_FOLDER = "interviews"


def _minutes(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _quote(text: str) -> str:
    lines = text.strip().splitlines() or ["(no answer)"]
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def session_markdown(session: QuizSession) -> str:
    summary = session.summary()
    title = {"interview": "Mock interview", "practice": "Practice", "review": "Review"}[
        session.mode
    ]
    scope = (
        f"section {session.section} ({SECTION_TITLES[session.section]})"
        if session.section
        else "all sections"
    )
    out = [
        f"# {title}: {session.started_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"Scope: {scope}. Seed: {summary.seed}. Score: {summary.score:g} of {summary.answered} "
        f"({summary.percent:g}%). Time: {_minutes(summary.seconds)}.",
        "",
    ]
    for number, record in enumerate(session.records, start=1):
        out.extend(_record_markdown(number, record))
    out.extend(["## Summary", "", "| topic | answered | score |", "|---|---:|---:|"])
    for group in summary.by_topic:
        out.append(f"| {group.title} | {group.answered} | {group.percent:g}% |")
    out.append("")
    if summary.weakest_sections:
        out.append(
            "Weakest sections: "
            + ", ".join(f"{g.key}. {g.title} ({g.percent:g}%)" for g in summary.weakest_sections)
            + "."
        )
    else:
        out.append("No section under the pass mark.")
    if summary.lessons_to_revisit:
        out.append(
            "Lessons to revisit: "
            + ", ".join(f"`{lesson}`" for lesson in summary.lessons_to_revisit)
            + "."
        )
    out.append("")
    return "\n".join(out)


def _record_markdown(number: int, record: AnswerRecord) -> list[str]:
    question, result = record.question, record.grade
    header = f"## {number}. {question.prompt.strip().splitlines()[0]}"
    lines = [header, ""]
    if len(question.prompt.strip().splitlines()) > 1:
        lines.extend([question.prompt.strip(), ""])
    limit = f" of {_minutes(question.minutes * 60)} suggested" if question.minutes else ""
    lines.append(
        f"Section {question.section} · lesson `{question.lesson}` · {_minutes(record.seconds)}{limit} · score {result.score:.0%}"
    )
    lines.extend(["", "**Your answer**", "", _quote(result.given), ""])
    if question.type == "open":
        ticked = set(getattr(record.answer, "ticked", []))
        lines.extend(["**Model answer**", "", question.model_answer or "", "", "**Rubric**", ""])
        lines.extend(
            f"- [{'x' if i in ticked else ' '}] {point}" for i, point in enumerate(question.rubric)
        )
        lines.append("")
    else:
        verdict = "right" if result.correct else "not right"
        expected = (
            result.expected
            if question.type != "scenario"
            else f"{fit_text(question.fit)}: {question.options[question.correct[0]]}"
        )
        lines.extend([f"**Expected** ({verdict}): {expected}", ""])
    lines.extend(["**Why**", "", question.explanation.strip(), ""])
    return lines


def default_markdown_path(session: QuizSession, home: Path) -> Path:
    return home / INTERVIEWS_FOLDER / f"{session.mode}-{session.started_at:%Y%m%d-%H%M%S}.md"


def save_session_markdown(session: QuizSession, path: Path) -> Path:
    """Write atomically (temp file + rename) and return the path."""
    write_atomically(path, session_markdown(session))
    return path
