"""Credentials and login: which credential a request carries, and the OAuth code flow's pure steps.

Rules a reader must not break:
- The credential chain is a pure function of a snapshot (environment, helper, stored OAuth):
  an API key wins, then an auth token, then ``apiKeyHelper``, then stored OAuth.
- ``state`` is compared in constant time; PKCE is always S256; a token counts as expired a
  margin before its real expiry.
- Nothing here prints a secret: ``secret_mask`` shows at most its first and last 4 characters.

What lives where: ``credential_chain`` (the chain), ``oauth_config`` / ``oauth_credentials``
(settings block and stored shape), ``oauth_flow`` / ``oauth_login`` (the use case, through
``ports``), ``pkce``, ``token_request`` / ``token_response`` / ``token_policy`` (the token
endpoint's wire and expiry), ``api_key_helper_settings``, ``url_encoding``, ``errors``.
"""
