"""The retraining branch's Lambdas: lock, data assembly, gate, promotion."""
