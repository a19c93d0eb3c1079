"""Training job for the model (SageMaker training contract), run by the Retrain branch."""
