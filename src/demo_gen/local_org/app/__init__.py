"""The local org's WSGI application, one module per part of the wire protocol."""
