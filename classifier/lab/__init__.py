"""Training and measuring the classifier: data files in, a model directory and its card out.

Kept apart from the runtime library (classifier/) so that the bot loads and runs a model without any of
this; only `ptm-triage train` and `evaluate` import it.
"""
