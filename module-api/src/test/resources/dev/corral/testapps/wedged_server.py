"""A 'generic' Corral test app whose listener can wedge: it answers every request at once (with
Connection: close, so Corral opens a new connection for each), until a file WEDGED-<pid> appears
in its directory; then it stops accepting and fills its own listen backlog (backlog 0), so that
every further connect to it blocks, as it does to a real server stuck in a long pause. It writes
WEDGED-<pid>.done once wedged."""
import os
import select
import socket
import time

pid = os.getpid()
if os.environ.get("CORRAL_SOCKET"):
    family, address = socket.AF_UNIX, os.environ["CORRAL_SOCKET"]
else:
    family, address = socket.AF_INET, ("127.0.0.1", int(os.environ["PORT"]))
listener = socket.socket(family, socket.SOCK_STREAM)
if family == socket.AF_INET:
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(address)
listener.listen(0)


def serve(connection):
    connection.settimeout(5)
    head = b""
    try:
        while b"\r\n\r\n" not in head and len(head) < 65536:
            data = connection.recv(65536)
            if not data:
                return
            head += data
        body = str(pid).encode()
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\nX-Pid: %d\r\n\r\n"
                           % (len(body), pid) + body)
    except OSError:
        pass
    finally:
        connection.close()


while not os.path.exists("WEDGED-%d" % pid):
    if select.select([listener], [], [], 0.02)[0]:
        serve(listener.accept()[0])

# wedged: the backlog fills with connections of its own that it never accepts
fillers = []
for _ in range(4):
    filler = socket.socket(family, socket.SOCK_STREAM)
    filler.setblocking(False)
    try:
        filler.connect(address)
    except BlockingIOError:
        # a Unix socket's backlog is full (EAGAIN), or a TCP connect is under way
        pass
    except OSError:
        pass
    fillers.append(filler)
with open("WEDGED-%d.done" % pid, "w") as done:
    done.write("wedged\n")
while True:
    time.sleep(1)
