"""Fails at import time, like an app with a missing dependency."""
import corral_no_such_module_here  # noqa: F401


def application(environ, start_response):
    start_response("200 OK", [])
    return [b"never"]
