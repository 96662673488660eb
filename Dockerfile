# Production image for the web app, the Celery workers and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng ghostscript qpdf unpaper pngquant \
      libmagic1 curl \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 luutru
WORKDIR /app
COPY pyproject.toml README.md ./
COPY archive ./archive
COPY ingest ./ingest
COPY search ./search
COPY storage ./storage
RUN pip install --no-cache-dir .
USER luutru
EXPOSE 8080
CMD ["luutru", "serve", "--host", "0.0.0.0", "--port", "8080"]
