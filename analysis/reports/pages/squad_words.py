"""The squad report's sentences and boxes: the answer in words, whether adjusting for
session load changes it, the exploratory variety analysis and its caveats, and the
templated boxes they are shown in (:mod:`analysis.templating`, every value escaped).

Split from :mod:`analysis.reports.pages.squad` (the numbers) so that each module stays short;
``analysis.reports.pages.squad`` re-exports every name.
"""

from __future__ import annotations

import numpy as np

from ...stats import AdjustedEffect, CorrResult, EffectResult
from .display import html_output


def render(name: str, /, **context) -> str:
    """:func:`analysis.templating.render`, looked up at call time."""
    from ... import templating

    return templating.render(name, **context)


def bullets(items: list[str]) -> object:
    """A bulleted list of sentences for display in a notebook (escaped, never maths)."""
    return html_output(render("bullets.html.j2", items=[str(x) for x in items]))


def headline_html(words: str, verdict: str) -> object:
    """The squad's answer as the box that opens the squad report (escaped, never maths)."""
    return html_output(render("squad_headline.html.j2", words=str(words), verdict=str(verdict)))


def exploratory_html(words: str, caveats: list[str]) -> object:
    """An exploratory analysis as a box of its own, marked so, with its caveats listed."""
    return html_output(
        render("exploratory.html.j2", words=str(words), caveats=[str(c) for c in caveats])
    )


#: Model column names that a note may quote to a coach ("... never changes within an athlete").
VARIETY = "exercise variety"
SRPE_NAME = "session load"

#: Reps per unit of the headline ("per 100 more reps").
PER = 100


def format_p(p: float) -> str:
    """A p-value as a coach should read it: ``p < 0.001``, ``p = 0.004``, ``p = 0.31``;
    near 0.05 with three decimals, so that a p on one side of the line is never printed
    as the line itself (``p = 0.048`` beside an interval that excludes no change).

    Examples
    --------
    >>> format_p(0.0000012), format_p(0.0042), format_p(0.3149), format_p(float("nan"))
    ('p < 0.001', 'p = 0.004', 'p = 0.31', 'p not available')
    >>> format_p(0.0484), format_p(0.0521)
    ('p = 0.048', 'p = 0.052')
    """
    if p is None or not np.isfinite(p):
        return "p not available"
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01 or 0.045 <= p < 0.055:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def faster(value: float) -> str:
    """A change of the differential per 100 reps: ``0.05 s faster`` (less fade) or slower."""
    if not np.isfinite(value):
        return "unknown"
    digits = 3 if abs(value) < 0.01 else 2
    if round(abs(value), digits) == 0:
        return "0.000 s (no change)"
    return f"{abs(value):.{digits}f} s {'faster' if value < 0 else 'slower'}"


def headline_words(res: EffectResult, *, event: int, window_days: int) -> str:
    """The squad's answer in one sentence, with its interval, athletes and races."""
    if not np.isfinite(res.estimate):
        return (
            f"No squad estimate for the {event} m yet: {res.n_subjects} athletes with two or "
            f"more {event} m races and a logged {window_days}-day build-up ({res.note})."
        )
    if not np.isfinite(res.ci_low):
        return (
            f"Per {PER} more hip-flexor reps in the {window_days} days before a {event} m race, "
            f"the second half was {faster(res.estimate)} relative to the first, but with "
            f"{res.n_subjects} athlete(s) there is no interval ({res.note})."
        )
    return (
        f"Per {PER} more hip-flexor reps in the {window_days} days before a race, the second "
        f"half of the {event} m was {faster(res.estimate)} relative to the first "
        f"(95 % CI {faster(res.ci_low)} to {faster(res.ci_high)}; {format_p(res.pvalue)}), "
        f"{res.n_subjects} athletes, {res.n_obs} races."
    )


def verdict_words(res: EffectResult) -> str:
    """What the interval means, in plain words."""
    if not np.isfinite(res.ci_low):
        return "The data cannot yet say whether more hip-flexor work goes with less fade."
    if res.ci_low <= 0 <= res.ci_high:
        return (
            "The interval includes no change: these races cannot tell a link of this size "
            "from chance. More races (or more athletes) would narrow it."
        )
    less = res.estimate < 0
    return (
        "The interval excludes no change: in this squad, races after more hip-flexor work "
        f"came with {'less' if less else 'more'} fade, comparing each athlete with "
        "themselves and allowing for the season."
    )


#: Units of session load in the model (arbitrary units, RPE x minutes; per 1000 AU).
SRPE_PER = 1000

_ANSWER = {
    "negative": "the interval points to less fade",
    "positive": "the interval points to more fade",
    "unclear": "the interval includes no change",
    "none": "there is no interval",
}


def _interval(res: EffectResult) -> str:
    return f"95 % CI {faster(res.ci_low)} to {faster(res.ci_high)}"


def adjustment_words(adj: AdjustedEffect, *, window_days: int) -> str:
    """Whether adjusting for overall session load (sRPE) changes the squad's answer.

    Both estimates with their intervals and the races they rest on, then a verdict read
    from the intervals; when the adjustment could not be made, why, in plain words.
    """
    what = "overall session load (sRPE: session RPE × minutes)"
    n, k = adj.n_rows, adj.n_known
    days = f"logged day of the {window_days} days before"
    if not np.isfinite(adj.unadjusted.ci_low):
        return f"No squad interval yet, so no adjustment for {what} either."
    if not adj.made:
        if k == 0:
            why = (
                f"none of the {n} races has a session RPE and minutes for every {days}. "
                "Logging RPE (0–10) and Minutes for every session would allow it"
            )
        elif k < adj.min_share * n:
            why = (
                f"only {k} of the {n} races have a session RPE and minutes for every {days} "
                "(fewer than half); an answer from so few races would be about other races "
                "than the headline's"
            )
        elif "never changes" in adj.why:
            why = f"the session load of the {window_days} days before a race never changes "
            why += "within an athlete"
        else:
            why = f"the adjusted model cannot be fitted ({adj.why})"
        return f"The estimate could not be adjusted for {what}: {why}."
    a, b = adj.same_rows, adj.adjusted
    move = (
        f"leaves the estimate at {faster(b.estimate)}"
        if faster(a.estimate) == faster(b.estimate)
        else f"moves the estimate from {faster(a.estimate)} to {faster(b.estimate)}"
    )
    text = f"Adjusting for overall session load (sRPE) {move} per {PER} more hip-flexor reps"
    if not adj.changes_answer:
        text += f"; the answer does not change: with and without it {_ANSWER[adj.answer_after]}."
    else:
        text += (
            f"; the answer changes: without the adjustment {_ANSWER[adj.answer_before]}, "
            f"with it {_ANSWER[adj.answer_after]}."
        )
    text += (
        f" Without the adjustment: {_interval(a)}; with it: {_interval(b)} "
        f"({b.n_subjects} athletes, {b.n_obs} races)."
    )
    if adj.changes_answer:
        if abs(b.estimate - a.estimate) > 0.5 * a.se:
            text += (
                " Session load moved with the hip-flexor work, so part of the unadjusted "
                "link belongs to the overall load (unless the load is itself raised by the "
                "hip-flexor work, when the adjustment takes away part of the effect asked "
                "about)."
            )
        else:
            wider = (b.ci_high - b.ci_low) > (a.ci_high - a.ci_low)
            text += " The estimate itself hardly moves; the interval is " + (
                "wider with the adjustment (session load and hip-flexor work move "
                "together, which leaves less to tell them apart), so read the answer as "
                "borderline."
                if wider
                else "narrower with the adjustment (the load explains part of the "
                "race-to-race noise), so read the answer as borderline."
            )
    if k < n:
        text += (
            f" The headline uses all {n} races; {n - k} had a day without RPE or minutes "
            f"in the {window_days} days before, so this comparison uses the {k} with it."
        )
    return text


def variety_words(res: EffectResult, held: EffectResult, *, event: int, window_days: int) -> str:
    """The exploratory variety estimate in one or two sentences."""
    if not np.isfinite(res.estimate):
        return f"No estimate of exercise variety against the {event} m fade: {res.note}."
    what = (
        f"Per one more distinct hip-flexor exercise per session (averaged over the "
        f"{window_days} days before a race), the second half of the {event} m was "
        f"{faster(res.estimate)} relative to the first"
    )
    if np.isfinite(res.ci_low):
        what += f" ({_interval(res)}; {format_p(res.pvalue)})"
    what += f", {res.n_subjects} athletes, {res.n_obs} races."
    if np.isfinite(held.ci_low):
        what += (
            f" With the hip-flexor volume held fixed: {faster(held.estimate)} ({_interval(held)})."
        )
    else:
        what += f" With the volume held fixed there is no estimate ({held.note})."
    return what


def variety_caveats(
    res: EffectResult, corr: CorrResult, spread: float, *, window_days: int
) -> list[str]:
    """What the exploratory variety analysis cannot carry, in plain words."""
    out = [
        "Not planned in advance: this report was set up to answer one question (hip-flexor "
        "volume and the fade). Variety is looked at besides it, after the data were in; its p-value "
        "is not corrected for the other looks; a clear-looking link here is a question to "
        "test next season, not a finding.",
    ]
    if not np.isfinite(res.estimate):
        return out
    if np.isfinite(corr.r):
        strength = (
            "strongly" if abs(corr.r) >= 0.5 else "somewhat" if abs(corr.r) >= 0.2 else "a little"
        )
        out.append(
            f"Variety moves {strength} with volume: within an athlete, build-ups with more "
            f"different exercises had {'more' if corr.r > 0 else 'fewer'} hip-flexor reps "
            f"(a within-athlete correlation of r = {corr.r:.2f} on a scale from −1 to 1, "
            f"95 % CI {corr.ci_low:.2f} to {corr.ci_high:.2f}, {corr.n} races). A link "
            "with variety may be the volume's; the second estimate holds volume fixed, which "
            "leaves less to go on."
        )
    if np.isfinite(spread):
        out.append(
            f"It rests on {res.n_subjects} athletes and {res.n_obs} races, and variety "
            f"changes little within an athlete (typically by ±{spread:.1f} exercises per "
            f'session around their own average over {window_days} days): "one more '
            'exercise per session" goes beyond what most of these athletes changed, and '
            "the interval is wide."
        )
    if res.n_subjects < 5:
        out.append(f"Only {res.n_subjects} athletes: too few for the squad.")
    out.append(
        "Variety counts different hip-flexor exercises per session; it says nothing about "
        "which exercises, their order, or their intensity."
    )
    return out


def takeaway_html(lines: list[str]) -> object:
    """The takeaway as the box that opens an athlete report."""
    return html_output(render("takeaway.html.j2", lines=[str(x) for x in lines]))


def effect_record(r: EffectResult) -> dict:
    """An effect's numbers as recorded for tests and tools (estimate, interval, p, n)."""
    return {"estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
            "pvalue": r.pvalue, "n_subjects": r.n_subjects, "n_obs": r.n_obs}  # fmt: skip


__all__ = [
    "PER",
    "SRPE_PER",
    "adjustment_words",
    "bullets",
    "effect_record",
    "exploratory_html",
    "faster",
    "format_p",
    "headline_html",
    "headline_words",
    "render",
    "takeaway_html",
    "variety_caveats",
    "variety_words",
    "verdict_words",
]
