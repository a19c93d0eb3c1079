"""Bring-your-own-container analysis for SageMaker Model Monitor / Processing.

``python -m drift_monitor [monitor|baseline]``: one window of merged production records in,
per-feature drift, data quality, dataset drift (and the model-quality/projection sections)
out, in Model Monitor's file formats plus a self-contained HTML report.
"""
