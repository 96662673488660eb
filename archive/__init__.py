"""The archive domain: catalog, services, access, sharing, audit, the pipeline, and the apps built on them."""
