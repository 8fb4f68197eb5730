"""The PDF forms the agencies still need on paper, generated from a case."""
