"""The baseline for the ingest benchmark: a Flask endpoint that answers 202 and does nothing else."""

from __future__ import annotations

from flask import Flask, Response


def create() -> Flask:
    app = Flask(__name__)

    @app.post("/api/github/webhooks")
    def webhook() -> Response:
        return Response(b'{"status":"accepted"}', status=202, mimetype="application/json")

    return app
