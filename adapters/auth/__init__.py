"""Credentials on this machine: the credentials file, the token endpoint, the login listener.

Rules a reader must not break:
- credentials.json is written atomically (0600, folder 0700), other keys kept, a corrupt
  file left byte for byte; refreshes happen under the cross-process file lock.
- The login listener binds loopback only.

What lives where: ``chain_auth`` (the ``AuthHeaderSource`` the client uses), ``static_headers``,
``credentials_store``, ``oauth_http``, ``loopback_listener``, ``browser``, ``api_key_helper``.
"""
