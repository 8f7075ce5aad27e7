"""The lifecycle picture as text: one lane per environment, drawn from a Snapshot.

Pure (no UI imports) so tests call it directly and the panel only maps the style
keys to theme colours. A busy lane is a bar split into the phases of its current
request (download code, init runtime, init function, execute), each segment sized
by its duration and labelled with it when it fits; the elapsed part of the bar is
solid, the rest faint. An idle lane shows the keep-alive window draining.
"""

from __future__ import annotations

from dataclasses import dataclass

from serverless_tutor.sim.results import PHASE_LABELS, InstanceView, PhaseSpan, Snapshot

SHORT_LABELS = {
    "download_code": "code",
    "init_runtime": "runtime",
    "init_function": "init fn",
    "execute": "exec",
    "idle": "idle",
}
LEGEND_ORDER = ("download_code", "init_runtime", "init_function", "execute", "idle")
PREFIX_WIDTH = 6
LABEL_WIDTH = 26
NARROW_LABEL_WIDTH = 19
NARROW_BELOW = 64  # frames narrower than this use the short legend and labels


@dataclass(frozen=True)
class Segment:
    """A run of text and its style key: a phase name, '<phase>:todo' for the part
    still to come, 'provisioned', 'label' or 'muted'."""

    text: str
    style: str


@dataclass(frozen=True)
class FrameLine:
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


def fmt_seconds(seconds: float) -> str:
    """0.22s, 12.3s, 9m48s, 2h03m: short enough for a lane label."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes}m{rest:02d}s"
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m"


def fmt_clock(seconds: float) -> str:
    """Simulated time as h:mm:ss.t."""
    tenths = round(seconds * 10)
    hours, rest = divmod(tenths, 36000)
    minutes, rest = divmod(rest, 600)
    return f"{hours}:{minutes:02d}:{rest / 10:04.1f}"


def legend(width: int = 80) -> FrameLine:
    """'█ download code █ init runtime █ init function █ execute █ idle' in the phase styles
    (63 cells), or with the lane labels ('█ code █ runtime ...', 41 cells) when narrow."""
    segments = []
    for phase in LEGEND_ORDER:
        segments.append(Segment("█", phase))
        if width < NARROW_BELOW:
            label = SHORT_LABELS[phase]
        else:
            label = "idle" if phase == "idle" else PHASE_LABELS[phase]
        segments.append(Segment(f" {label} ", "label"))
    return FrameLine(tuple(segments))


def lifecycle_frame(
    snapshot: Snapshot, width: int, max_lanes: int | None = None
) -> list[FrameLine]:
    """The lanes of every live environment (oldest first), at most max_lanes of them."""
    instances = snapshot.instances
    shown = (
        instances
        if max_lanes is None or len(instances) <= max_lanes
        else instances[: max(0, max_lanes - 1)]
    )
    label_width = LABEL_WIDTH if width >= NARROW_BELOW else NARROW_LABEL_WIDTH
    bar_width = max(8, width - PREFIX_WIDTH - label_width - 2)
    lines = [lane(instance, bar_width, label_width) for instance in shown]
    hidden = len(instances) - len(shown)
    if hidden:
        lines.append(
            FrameLine(
                (Segment(f"  … {hidden} more environment{'s' if hidden != 1 else ''}", "muted"),)
            )
        )
    if not instances:
        lines.append(
            FrameLine((Segment("  no environments: the next request will cold-start", "muted"),))
        )
    return lines


def lane(instance: InstanceView, bar_width: int, label_width: int = LABEL_WIDTH) -> FrameLine:
    marker = "P" if instance.provisioned else " "
    prefix = Segment(f"{marker}#{instance.id:<3} ", "label")
    if instance.phase == "idle":
        bar_segments, label, extra = _idle_bar(instance, bar_width)
    else:
        bar_segments, label, extra = _busy_bar(instance, bar_width)
    if len(label) + len(extra) + 1 <= label_width:
        label = f"{label} {extra}"
    label = f"{label:<{label_width}}"[:label_width]
    return FrameLine(
        (
            prefix,
            Segment("▕", "muted"),
            *bar_segments,
            Segment("▏", "muted"),
            Segment(label, "label"),
        )
    )


def _idle_bar(instance: InstanceView, bar_width: int) -> tuple[list[Segment], str, str]:
    """Bar segments, the label, and a remark added to the label when there is room."""
    if instance.expires_in_s is None:
        text = _fit("provisioned · warm", bar_width)
        return (
            [Segment(text, "provisioned")],
            f"idle {fmt_seconds(instance.time_in_phase_s)}",
            "kept",
        )
    window = instance.time_in_phase_s + instance.expires_in_s
    left = 0 if window <= 0 else round(bar_width * max(0.0, instance.expires_in_s) / window)
    remaining = fmt_seconds(instance.expires_in_s)
    # The longest wording that fits whole: a cut one ("reclaim in ") hides the number.
    text = _fit_first(
        (f"idle · reclaim in {remaining}", f"reclaim in {remaining}", remaining), bar_width
    )
    segments = []
    if left:
        segments.append(Segment(text[:left], "idle"))
    if bar_width - left:
        segments.append(Segment(text[left:], "idle:todo"))
    return segments, f"idle {fmt_seconds(instance.time_in_phase_s)}", ""


def _busy_bar(instance: InstanceView, bar_width: int) -> tuple[list[Segment], str, str]:
    spans = [span for span in instance.spans if span.duration_s > 0] or instance.spans
    total = sum(span.duration_s for span in spans) or 1.0
    cells = _allocate([span.duration_s / total for span in spans], bar_width)
    now = spans[0].start_s + _elapsed(instance, spans)
    segments = []
    for span, count in zip(spans, cells, strict=False):
        if count == 0:
            continue
        text = _fit_first(
            (
                f"{SHORT_LABELS[span.phase]} {fmt_seconds(span.duration_s)}",
                fmt_seconds(span.duration_s),
            ),
            count,
        )
        if span.duration_s > 0:
            done = min(1.0, max(0.0, (now - span.start_s) / span.duration_s))
        else:
            done = 1.0 if now >= span.start_s else 0.0
        solid = round(count * done)
        if solid:
            segments.append(Segment(text[:solid], span.phase))
        if count - solid:
            segments.append(Segment(text[solid:], f"{span.phase}:todo"))
    if not any(span.phase == "execute" for span in instance.spans):
        kind = "provisioning"
    else:
        kind = "ping" if instance.ping else ("cold" if instance.cold else "warm")
    duration = fmt_seconds(instance.phase_duration_s or 0.0)
    label = f"{SHORT_LABELS[instance.phase]} {fmt_seconds(instance.time_in_phase_s)}/{duration}"
    return segments, label, kind


def _elapsed(instance: InstanceView, spans: list[PhaseSpan]) -> float:
    """Time since the first span started, from the current phase and the time spent in it."""
    for span in spans:
        if span.phase == instance.phase:
            return span.start_s - spans[0].start_s + instance.time_in_phase_s
    return 0.0


def _allocate(shares: list[float], width: int) -> list[int]:
    """Whole cells per share summing to width; every positive share gets at least one cell."""
    if not shares:
        return []
    cells = [max(1 if share > 0 else 0, int(share * width)) for share in shares]
    while sum(cells) > width:
        largest = max(range(len(cells)), key=lambda i: cells[i])
        cells[largest] -= 1
    remainders = sorted(
        range(len(shares)), key=lambda i: shares[i] * width - int(shares[i] * width), reverse=True
    )
    index = 0
    while sum(cells) < width:
        cells[remainders[index % len(remainders)]] += 1
        index += 1
    return cells


def _fit_first(candidates: tuple[str, ...], width: int) -> str:
    """The first candidate that fits, centred; blank cells if none does."""
    for text in candidates:
        if len(text) <= width:
            return text.center(width)
    return " " * width


def _fit(text: str, width: int) -> str:
    """text centred in width cells (cut if too long)."""
    if len(text) >= width:
        return text[:width]
    return text.center(width)
