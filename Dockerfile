# The asia-beacon server image. From the repository root: docker build -t asia-beacon .
# docs/deployment.md#container-image explains the choices; settings come from ASIA_BEACON_*
# variables at run time (docs/guides/operator.md#configure), the beacon's identity among them
# (ASIA_BEACON_BEACON_ID, ...: without it the server presents a placeholder and warns).

# Build stage: install the package and its dependencies into a virtual environment, so the
# final image gets the installed result without the sources or pip's build leftovers.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/asia-beacon
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY schemas ./schemas
COPY loaders ./loaders
RUN /opt/asia-beacon/bin/pip install .

FROM python:3.11-slim
# A fixed numeric id, so that Kubernetes can check runAsNonRoot without looking the name up.
RUN groupadd --system --gid 10001 beacon \
 && useradd --system --uid 10001 --gid beacon --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin beacon
COPY --from=build /opt/asia-beacon /opt/asia-beacon
ENV PATH=/opt/asia-beacon/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ASIA_BEACON_BIND=0.0.0.0:5050
USER 10001:10001
EXPOSE 5050
# The slim image has no curl: ask /healthz with Python, on the port ASIA_BEACON_BIND names.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; port = os.environ.get('ASIA_BEACON_BIND', ':5050').rpartition(':')[2]; urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4)"]
CMD ["asia-beacon", "serve"]
