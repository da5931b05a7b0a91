# One image for every deedflow service; docker-compose picks the service with `deedflow serve <name>`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEEDFLOW_HOME=/var/lib/deedflow

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gen ./gen
COPY shared ./shared
COPY client ./client
COPY services ./services
COPY cli ./cli
RUN pip install --no-cache-dir . && useradd --system --home /var/lib/deedflow deedflow \
    && mkdir -p /var/lib/deedflow && chown deedflow /var/lib/deedflow
USER deedflow
ENTRYPOINT []
CMD ["deedflow", "--help"]
