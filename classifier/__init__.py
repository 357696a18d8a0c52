"""ptm-triage's classifier: is an issue about a pre-trained model, and which challenge category applies.

A plain library: text in, plain values out. It knows nothing of GitHub, Flask, storage or env vars.
"""

from classifier.schema import Document, LabeledIssue, Prediction
from classifier.taxonomy import Category, Taxonomy, load_taxonomy

__all__ = ["Category", "Document", "LabeledIssue", "Prediction", "Taxonomy", "load_taxonomy"]
