"""COPC readiness assistant: cited evidence from a site's own documents, offline.

Importing this package is cheap: the embedding model, the vector store and the
database are created by :func:`assistant.app.build_assistant` on first use.
"""

__version__ = "0.1.0"
