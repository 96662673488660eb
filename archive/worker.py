"""Entry point for Celery workers: `celery -A archive.worker worker`.

Workers start from the same app factory as the web app and CLI, so they see the same backends.
"""

from archive.factory import create_archive

archive = create_archive()
if archive.celery is None:
    raise SystemExit("Celery workers need LUUTRU_BROKER_URL (services profile); "
                     "on the embedded profile run `luutru worker` instead.")
celery = archive.celery
