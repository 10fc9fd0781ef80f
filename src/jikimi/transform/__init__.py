"""De-identification operators (format-preserving encryption, tokens, ...)."""
