[description]
Corral: spawns, pools and queues external web app processes (Python WSGI, Node.js or any
HTTP server) and serves the requests matching an app's virtual hosts and path prefix from
them; every other request goes on to the rest of the handler tree.
Installs dev.corral.jetty.CorralHandler at the root of the Handler tree with one app,
configured by the corral.app.* properties below.

[tags]
corral

[depends]
server

[lib]
lib/corral/*.jar

[xml]
etc/corral.xml

[ini-template]
# tag::documentation[]
## Directory for the app sockets and loader scripts (created with mode 0700).
## Unix socket paths must stay under ~100 bytes: keep this path short.
## Default: a fresh directory under java.io.tmpdir, removed at stop.
# corral.runDir=${jetty.base}/corral/run

## Processes all apps may run together (0 = no limit). When reached, an app with waiting
## requests takes the least recently used idle process of another app.
# corral.maxPoolProcesses=0

## The status page, its JSON (?format=json), Prometheus metrics (/metrics) and the probes
## (/ready, /live) at this path; default off. Only clients in statusAllow (CIDR blocks,
## default loopback) may read them; per-pid metric series only with statusPerProcessMetrics.
# corral.statusPath=/corral-status
# corral.statusAllow=127.0.0.0/8,::1
# corral.statusPerProcessMetrics=false

## --- The app. A property left commented out keeps Corral's default. ---
## The app's name, used in logs, JMX and the CORRAL_APP variable (required):
## letters, digits, '.', '_' and '-'.
# corral.app.name=blog

## The app's directory; its processes start there (required).
# corral.app.appRoot=${jetty.base}/apps/blog

## How the app is started: wsgi, node or generic.
# corral.app.type=wsgi

## wsgi: module:callable (default app:application); node: a script relative to appRoot
## (default app.js); generic: unused.
# corral.app.entryPoint=app:application

## The command line; required for generic, which must listen on $CORRAL_SOCKET (listen=unix)
## or $PORT (listen=tcp).
# corral.app.command=python3 server.py

## Extra environment variables: NAME=value pairs separated by whitespace, shell quoting allowed.
# corral.app.env=APP_ENV=production

## Requests under this path go to the app; / means all.
# corral.app.pathPrefix=/

## Host names the app serves (*.example.com for subdomains), separated by commas; default all.
# corral.app.virtualHosts=example.com,*.example.com

## Processes kept running even when idle (0..maxProcesses), and the upper bound (1..1024).
# corral.app.minProcesses=1
# corral.app.maxProcesses=6

## Requests one process serves at a time; 0 = unlimited.
# corral.app.concurrency=1

## Requests that may wait for a process before new ones get 503, and how long one may wait.
# corral.app.maxQueue=100
# corral.app.queueTimeout=60s

## How long a process may take to start listening, and to exit before it is killed.
## Durations: 250ms, 30s, 5m, 1h, or a bare number of seconds.
# corral.app.spawnTimeout=60s
# corral.app.shutdownTimeout=30s

## Whether processes listen on a Unix socket (unix) or a loopback TCP port (tcp).
# corral.app.listen=unix
# end::documentation[]
