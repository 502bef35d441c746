"""Localities Assistant: retrieval and cited answers over the Transformation in localities toolkit."""
