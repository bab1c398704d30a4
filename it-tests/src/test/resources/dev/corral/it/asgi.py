"""An ASGI app for the uvicorn recipe: answers every request with its path and the serving pid."""
import os


async def app(scope, receive, send):
    if scope["type"] != "http":
        return  # lifespan: nothing to set up
    pid = str(os.getpid())
    body = ("hello from asgi pid %s path %s\n" % (pid, scope["path"])).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode()),
                            (b"x-pid", pid.encode())]})
    await send({"type": "http.response.body", "body": body})
