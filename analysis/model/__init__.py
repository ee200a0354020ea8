"""The fit classifier: features, pipeline, training and model files, evaluation, labelling."""
