"""Section ``projection``: the accuracy the window's rows will show once their labels arrive.

Method (probability output): confidence-based performance estimation (CBPE; NannyML's
method) on a calibration map fitted on the baseline's labelled rows
(:mod:`~drift_monitor.projection.calibration`). Each row is correct with probability
c = cal(score) if it is predicted positive, 1 - cal(score) otherwise, so the projected accuracy
is mean(c) over the window's rows. Where the baseline supports it, the calibration is
conditional on the features as well as the score (:mod:`~drift_monitor.projection.features`),
because P(label | score) moves under covariate shift while P(label | features, score) does
not. With ``shift_correction = "importance_weighting"`` the score map is refitted on the
baseline rows weighted by the baseline-to-window density ratio of a domain classifier
(:mod:`~drift_monitor.projection.shift`), so the calibration is the one the window's feature mix
would have.

Class-only output: no confidence to calibrate. What is projected is
sum_k share_k(window) x precision_k(baseline), the baseline's accuracy within each predicted
class reweighted by the window's predicted-class mix (importance-weighted like the above when
enabled).

Interval: a parametric bootstrap that combines (a) the calibration's own uncertainty (the map
refitted on bootstrap resamples of the baseline's labelled rows), (b) the binomial noise of
the labels still to come (each row's outcome drawn from its calibrated probability) and (c) the
sampling noise of the feature-aware adjustment; it is then widened by the largest disagreement
with the alternative estimates (score-only, importance-weighted). It is therefore an interval
for the accuracy these very rows will show, at ``confidence_level``.
Cost: the rows enter through a 1,001-cell score histogram, so the bootstrap is
O(resamples x 1,001) whatever the window size; the point estimate is exact over all rows.

What it cannot see: concept drift (P(label | features) changing). Rows whose labels have
arrived test that directly: measured and projected correct counts on the same rows are
compared with a z-test whose variance is the bootstrap's, and a significant gap raises
``projection_reliability_check``.

Layout: ``settings`` (constraints.json → ``projection_settings``), ``estimators`` (the
estimators and the reliability test, pure numpy), ``calibration``, ``features`` and ``shift``
(the models they rest on), ``artefacts`` (the baseline files), ``baseline`` (the baseline
job), ``analysis`` (one window's estimate), ``wording`` (its sentences) and ``section``
(orchestration); the HTML is :mod:`drift_monitor.report.projection`.
"""

from drift_monitor.projection.section import ProjectionSection
from drift_monitor.projection.settings import ProjectionSettings

__all__ = ["ProjectionSection", "ProjectionSettings"]
