def support_session(request) -> dict:
    """Replaced by the remote access work (support.remote)."""
    return {}
