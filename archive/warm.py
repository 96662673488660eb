"""Loaded once by the fork server of the worker processes (``archive.work.WorkerProcesses``): what every
process would otherwise load on its first item, so each new one starts ready: fido's PRONOM signatures
(~0.5 s), the agency names the extractor matches against, luutru's version for the packages' agent."""

from archive.packaging import software
from ingest.extract.agency import agency_index
from ingest.identify import load_signatures, tool_name

load_signatures()
tool_name()
agency_index()
software()
