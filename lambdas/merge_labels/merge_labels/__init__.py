"""Merge one window of SageMaker data capture with the ground truth that has arrived for it.

``app.lambda_handler`` is the thin AWS Lambda entry point; ``merge.merge_window`` is the pure,
testable core (S3 client and clock injected).
"""
