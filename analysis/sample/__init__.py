"""A synthetic raw data set that knows the truth: ``hipflex sample DIR``.

Everything written here is **synthetic**: fictional athletes, invented coaches' files. The
files are in the messy forms docs/architecture.md accepts (several coaches' CSV logs, an Excel
workbook, meet results and hand-timed trials) and carry a handful of deliberate faults
(unknown athlete, impossible date, garbage prescription, 500 reps, a duplicate entry, a
DNF, a DNS, a 100 m race, non-increasing splits) so the data-quality report has something
to show. ``truth.json`` holds the parameters the data were generated from.

Generative model
----------------
Athletes ``i = 1..N`` are assigned a squad (200/400), a program (``hf_emphasis`` or
``standard``) and a sex. Hip-flexor volume varies *within* an athlete over the season:

    target_iw = V_i × ramp_w × block_w × off_iw × LogNormal(0, 0.15)

with ``V_i`` the athlete's base weekly hip-flexor reps (about 600 for ``hf_emphasis``,
300 for ``standard``, times LogNormal(0, 0.25)), ``block_w`` a four-week periodisation
cycle (0.8, 1.0, 1.25, 0.5), ``ramp_w = 1 + volume_ramp × w / (weeks − 1)`` the build-up
over the season, and ``off_iw = 0`` in weeks off (one squad-wide week and one
or two weeks per athlete). The weekly target is spread over 2–4 sessions of 1–3
hip-flexor exercises; each entry gets a written prescription, and its hip-flexion reps
are counted *from that prescription* exactly as docs/architecture.md defines ``hf_reps``: sets ×
reps (mean reps when sets differ, midpoint of a range), doubled for ``each leg``,
distance sets × metres × the catalog's ``reps_per_m``.

For race ``j`` of athlete ``i`` on day ``d_ij``, the trailing volume is

    X_ij = Σ hf_reps of athlete i on days d_ij − W … d_ij − 1      (W = ``window_days``)

and the 400 m differential (second half − first half, seconds) is

    D_ij = α_i + β_i × (X_ij − X̄_i) / 100 + δ × t_ij + σ e_ij
    α_i  = μ + γ × (X̄_i − X̄) / 100 + u_i,             u_i ~ N(0, τ²)
    β_i  = β + N(0, ``slope_sd``²)                     (athletes differ)
    e_ij = ρ e_i,j−1 + √(1 − ρ²) N(0, 1)               (AR(1) over the athlete's races)

with t_ij the weeks into the racing season, δ = ``season_trend_per_week`` (−0.02 s: the
fade improves over the season for other reasons, while the volume is built up by
``volume_ramp`` = 60 % from the first week to the last — a season trend that a
within-athlete correlation without a time adjustment takes for an effect), ρ =
``noise_ar1`` = 0.6, and
``β`` = ``effect_per_100_reps`` (the mean within-athlete truth), ``X̄_i`` the athlete's
mean of ``X`` over their 400 m races, ``X̄`` the mean of the ``X̄_i``, μ = 3.0 s,
τ = 0.5 s, σ = 0.25 s. ``γ`` = +0.15 s per 100 reps is a between-athlete confounder
("confounding by indication": coaches give more hip-flexor work to athletes who fade),
so a naive pooled correlation of volume and fade is weaker than, or opposite to, the
within-athlete effect. The 200 m differential (second 100 − first 100) follows the same
form with μ = −0.4 s, τ = 0.15 s, σ = 0.12 s, γ = +0.05 and β₂₀₀ = 0.4 β.

Final times: T_ij = b_i + 0.3 (D_ij − α_i) + N(0, 0.35²) for 400 m, with b_i the
athlete's baseline; halves h₁ = (T − D)/2, h₂ = (T + D)/2; 100 m splits follow a
realistic profile (first 100 ≈ 51.5 % of h₁, so the 2nd 100 is the fastest; third 100
≈ 47.5 % of h₂, so the 4th 100 is the slowest). Hand-timed trials are recorded 0.24 s
(200 m) or 0.14 s (400 m) faster than FAT at every mark and rounded to 0.1 s: the
hand-to-FAT corrections :mod:`analysis.sprints` adds back, so cleaned times match the truth.

The package, by concern: :mod:`~analysis.sample.vocabulary` (the words),
:mod:`~analysis.sample.roster`, :mod:`~analysis.sample.prescriptions`,
:mod:`~analysis.sample.simulate` (the phases of the model) and
:mod:`~analysis.sample.render` (the raw files and their faults),
:mod:`~analysis.sample.season` (plan, session RPE, a masters athlete),
:mod:`~analysis.sample.cells`, :mod:`~analysis.sample.layouts`,
:mod:`~analysis.sample.timing` and :mod:`~analysis.sample.apps` (the coach layouts,
timing-system and app files), :mod:`~analysis.sample.injuries`,
:mod:`~analysis.sample.generator` (:func:`generate`), :mod:`~analysis.sample.readme`
(``SYNTHETIC.md``) and :mod:`~analysis.sample.writers` (:func:`write_sample`).

Examples
--------
>>> from analysis.sample import generate
>>> frames, truth = generate(athletes=4, seed=1)
>>> truth.effect_per_100_reps
-0.08
"""

from __future__ import annotations

from .generator import generate
from .truth import Truth
from .writers import write_sample

__all__ = ["Truth", "generate", "write_sample"]
