"""ptm-triage's GitHub App: webhook intake, durable inbox, workers, triage handlers and the GitHub adapter."""
