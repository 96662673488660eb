"""The pipeline's steps, in order. Each runs when the item is in its ``after`` state.

Receiving (storing the master with its checksum) is not here: it happens when the batch is
submitted, before anything else can touch the file (see ``archive.batches``).
"""

from archive.catalog.codes import BatchItemState as S
from archive.pipeline.steps.base import Step
from archive.pipeline.steps.checks import identify_format, virus_check
from archive.pipeline.steps.describe import extract_metadata
from archive.pipeline.steps.normalise import normalise_content
from archive.pipeline.steps.package import package_record, validate_into_package
from archive.pipeline.steps.record import finish, index_document, make_thumbnail
from archive.pipeline.steps.signature import check_signatures

STEPS: tuple[Step, ...] = (
    Step("virus", S.RECEIVED, S.VIRUS_CHECKED, virus_check),
    Step("identify", S.VIRUS_CHECKED, S.IDENTIFIED, identify_format),
    Step("validate", S.IDENTIFIED, S.VALIDATED, validate_into_package),
    Step("signature", S.VALIDATED, S.SIGNATURES_CHECKED, check_signatures),
    Step("normalise", S.SIGNATURES_CHECKED, S.NORMALISED, normalise_content),
    Step("extract", S.NORMALISED, S.EXTRACTED, extract_metadata),
    Step("store", S.EXTRACTED, S.STORED, make_thumbnail),
    Step("package", S.STORED, S.PACKAGED, package_record),
    Step("index", S.PACKAGED, S.INDEXED, index_document),
    Step("finish", S.INDEXED, S.ARCHIVED, finish),
)
