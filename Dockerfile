# ptm-triage: one image for the web processes (gunicorn) and the workers (`ptm-triage worker`).
# The bundled model ships inside the installed package (classifier/model/), so nothing is downloaded
# at run time. Secrets are never baked in: pass them at run time (see docs/deploy.md).
#
#   docker build -t ptm-triage:0.1.0 .

FROM python:3.11.14-slim-bookworm AS build

# A virtualenv is copied whole into the runtime stage; the build tools stay behind.
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY classifier ./classifier
COPY bot ./bot
# [scale]: the PostgreSQL driver, Redis and RQ that compose.yaml uses.
RUN /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check ".[scale]"

FROM python:3.11.14-slim-bookworm

LABEL org.opencontainers.image.title="ptm-triage" \
      org.opencontainers.image.description="GitHub App that triages issues about pre-trained AI models" \
      org.opencontainers.image.licenses="MIT"

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    XDG_DATA_HOME=/data \
    PORT=3000

RUN groupadd --system --gid 10001 ptm \
    && useradd --system --uid 10001 --gid ptm --home-dir /data --no-create-home --shell /usr/sbin/nologin ptm \
    && mkdir /data \
    && chown ptm:ptm /data

# Root owns the code and the model: the model loader refuses a directory others can write to.
COPY --from=build /opt/venv /opt/venv

# Fail the build, not the first delivery, if this scikit-learn cannot load the bundled model.
RUN ptm-triage classify --title "Build check" --body "The bundled model loads in this image." > /dev/null

WORKDIR /data
USER 10001:10001
EXPOSE 3000

# /readyz answers 503 while the store is unreachable; urlopen raises on it, so the check fails.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '3000'), timeout=4)"]

# The Procfile's web line; `sh -c` expands its defaults, `exec` makes gunicorn PID 1 so it gets SIGTERM.
CMD ["sh", "-c", "exec gunicorn --config python:bot.web.gunicorn_conf --worker-class gthread --workers ${WEB_CONCURRENCY:-2} --threads ${WEB_THREADS:-8} --bind 0.0.0.0:${PORT:-3000} 'bot.wsgi:create()'"]
