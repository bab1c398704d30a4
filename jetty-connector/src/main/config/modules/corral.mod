# Corral for Jetty 12.1: runs Python (WSGI), Node and other web apps from pools of processes.
# The [ini-template] below is made from Corral's settings table (dev.corral.config.Setting);
# CorralModuleFilesTest checks it.

[description]
Corral: spawns, pools and queues the processes of external web apps (Python WSGI, Node.js
or any HTTP server) and serves the requests matching an app's virtual hosts and path prefix
from them; every other request goes on to the rest of the handler tree. Apps are configured
by the corral.app.* properties (one app) and by one <name>.properties file per app in
$JETTY_BASE/corral/.

[tags]
corral

[depends]
server

[after]
jmx

[before]
statistics
compression
gzip

[files]
corral/

[lib]
lib/corral/*.jar

[xml]
etc/corral.xml

[ini]
# Webapps (ee-webapp) always get Corral's classes from the server, even a WAR that bundles its
# own copy of corral-module-api: dev.corral. is protected, but for corral-cdi (dev.corral.cdi.),
# which lives in a webapp's WEB-INF/lib. For every environment (ee10, ee11, ...); start.d/ may
# add more with +=.
jetty.server.addProtectedClasses+=,dev.corral.,-dev.corral.cdi.

[ini-template]
# tag::documentation[]
## Corral's settings. A property left commented out keeps its default. Durations take units
## (250ms, 30s, 5m, 1h; a bare number is seconds). A misspelt corral.* property fails the start.

## ------------------------------------------------------------------------------------------
## The engine: shared by every app of this Jetty.

## The directory of the app sockets and loader scripts (mode 0700; 0711 once an app runs as another
## user); keep it short: a socket path must stay under ~100 bytes. Default: (a new temporary
## directory).
# corral.runDir=/tmp/corral

## Processes all apps of the JVM may run together; 0 = no limit. Default: 0.
# corral.maxPoolProcesses=0

## The status page, its JSON, the Prometheus metrics and the probes are served at this path.
## Default: (off).
# corral.statusPath=/corral-status

## The client networks (addresses or CIDR blocks, comma separated) that may read the status.
## Default: 127.0.0.0/8,::1.
# corral.statusAllow=127.0.0.0/8,::1

## True: the metrics have per-pid series too (pids churn). Default: false.
# corral.statusPerProcessMetrics=false

## The TCP port of the HAProxy agent-check answer (up with a weight from spare capacity, drain or
## down; see Beyond one machine); 0 = off. Default: 0.
# corral.agentPort=0

## The address the agent-check port listens on (0.0.0.0 for every interface). Default: 127.0.0.1.
# corral.agentBind=127.0.0.1

## The directory of the app files, relative to $JETTY_BASE: one <name>.properties file per app,
## with the app settings below without their corral.app. prefix (maxProcesses=4); the app's
## name is the file's unless the file sets one.
# corral.appsDirectory=corral

## ------------------------------------------------------------------------------------------
## One app, set right here (more apps: files in the apps directory).

## The app's name, [A-Za-z0-9._-]+: used in logs, CORRAL_APP and its JMX names. Default: (required).
# corral.app.name=blog

## The app's directory (must exist); its processes start there. Default: (required).
# corral.app.appRoot=/srv/blog

## Wsgi (Python WSGI through the bundled loader), node (node <entryPoint>) or generic (command).
## Default: wsgi.
# corral.app.type=wsgi

## Wsgi: module:callable; node: the script, relative to appRoot. Default: app:application (wsgi),
## app.js (node).
# corral.app.entryPoint=app:application

## Generic: the server's command line (shell-like quoting; Corral expands $CORRAL_SOCKET, $PORT and
## ${NAME}); it listens on $CORRAL_SOCKET, or on 127.0.0.1:$PORT with listen=tcp. Default: (none).
# corral.app.command=gunicorn --bind unix:$CORRAL_SOCKET app:app

## Extra environment variables: NAME=value pairs separated by spaces (A=1 B="two words"). Default:
## (none).
# corral.app.env=APP_ENV=production

## Variables of the container's environment that app processes do not inherit: names, or PREFIX* for
## all names that start with PREFIX, separated by commas or spaces; env may still set them. Default:
## (none).
# corral.app.envDrop=AWS_* DB_PASSWORD

## When the container runs as root, the user the app's processes run as (see Running apps as another
## user); otherwise only the container's own user. Default: (the container's user).
# corral.app.user=www-data

## The group the app's processes run as (with root, as user and group need). Default: (the user's
## primary group).
# corral.app.group=www-data

## True: the app's processes may run as root (a container running as root with no user set, or
## user=root); false: start fails instead. Default: false.
# corral.app.allowRoot=false

## Requests under this path go to the app; the longest matching prefix wins. Default: /.
# corral.app.pathPrefix=/

## Host names the app serves, comma separated; *.example.com for subdomains. Default: (all).
# corral.app.virtualHosts=example.com,*.example.com

## Files under this directory (relative to appRoot) are served by the container itself to GET and
## HEAD under pathPrefix, never by a process (see Static files); none = off. Default: public (when
## <appRoot>/public exists).
# corral.app.staticDir=public

## Processes kept running, 0..maxProcesses. Default: 1.
# corral.app.minProcesses=1

## Upper bound on processes, 1..1024. Default: 6.
# corral.app.maxProcesses=6

## Requests one process serves at once; 0 = unlimited (Node-style servers). Default: 1.
# corral.app.concurrency=1

## Requests that may wait for a process; past it: 503 with Retry-After at once. Default: 100.
# corral.app.maxQueue=100

## A request waiting longer for a process gets 503. Default: 60s.
# corral.app.queueTimeout=60s

## A process must listen within this time, or the spawn fails. Default: 60s.
# corral.app.spawnTimeout=60s

## A stopping process gets SIGTERM, then SIGKILL after this time. Default: 30s.
# corral.app.shutdownTimeout=30s

## Unix: a private socket $CORRAL_SOCKET in a 0700 directory; tcp: 127.0.0.1:$PORT. Default: unix.
# corral.app.listen=unix

## Processes above minProcesses that served nothing this long are stopped; 0 = never. Default: 5m.
# corral.app.idleTimeout=5m

## A process is recycled after serving this many requests; 0 = off. Default: 0.
# corral.app.maxRequests=0

## A process whose resident set (its whole process tree, from /proc) exceeds this, e.g. 512MB, is
## recycled; 0 = off. Default: 0.
# corral.app.maxMemory=0

## A request running longer kills its process and gets 504 request_timeout; 0 = off. Default: 0.
# corral.app.maxRequestTime=0

## Connecting to a process may take this long; past it the connect failed: the request tries another
## process (retries), at last 502 connect_failed (see Timeouts). Default: 5s.
# corral.app.connectTimeout=5s

## From the request written to the first byte of the app's answer; past it: 504 response_timeout,
## the connection closed, the process kept (see Timeouts); 0 = off. Default: 60s.
# corral.app.responseTimeout=60s

## An upgraded connection (a WebSocket) that carried no byte either way this long is closed (see
## WebSockets); 0 = never. Default: 10m.
# corral.app.upgradeIdleTimeout=10m

## The path checked with GET (2xx/3xx = healthy); none = a socket connect is the check. Default:
## (none).
# corral.app.healthPath=/health

## Checks of a healthy process (HAProxy's inter). Default: 2s.
# corral.app.healthInterval=2s

## Checks while a process changes state: starting, or failing but not yet down (fastinter). Default:
## 500ms.
# corral.app.healthFastInterval=500ms

## Checks of a process that is down and finishing its requests (downinter). Default: 5s.
# corral.app.healthDownInterval=5s

## Passed checks in a row before a new process takes traffic (with healthPath). Default: 2.
# corral.app.healthRise=2

## Failed checks in a row that mark a process down. Default: 3.
# corral.app.healthFall=3

## How long one check may take. Default: 2s.
# corral.app.healthTimeout=2s

## Refused connects, unanswered requests or 5xx answers in a row that mark a process down; 0 = off.
## Default: 10.
# corral.app.errorLimit=10

## A request whose connect failed, or (GET, HEAD, PUT, DELETE, OPTIONS, TRACE without a body) that a
## process closed without answering, tries this many other processes. Default: 3.
# corral.app.retries=3

## A new process's share of traffic ramps up over this time; 0 = off. Default: 0.
# corral.app.slowStart=0

## True: a request with the stickyCookie goes to the process that set it (see Sticky sessions).
## Default: false.
# corral.app.stickySessions=false

## The sticky sessions' cookie name. Default: corral_route.
# corral.app.stickyCookie=corral_route

## A process whose slots are all busy may take one request more, which waits in its socket so that
## the process finds it at once (as behind nginx without max_conns), while the app's recent service
## time stays below this and its typical request takes at least 0.5 ms; never a request with a body,
## an upgrade, a retry or a sticky one (see Prefetch); 0 = off. Default: 0.
# corral.app.prefetch=0

## True: Corral's own error answers (502, 503, 504, 408, 413) show the failure's details (pids,
## socket paths, the app's last output); false: status, reason code and request id only (see Request
## failures); the log always has the details. Default: false.
# corral.app.detailedErrors=false

## Status=file pairs separated by spaces: that HTML file (read at start-up, {{requestId}},
## {{status}} and {{reason}} filled in) is the body of Corral's own error answers with that status.
## Default: (none).
# corral.app.errorPages=503=/srv/blog/errors/503.html

## Response bytes a slow client has not taken yet that are kept in memory; past it, in a private
## temporary file (see Slow clients). Default: 128KB.
# corral.app.responseBufferSize=128KB

## Response bytes kept for a slow client in all, memory and file, before the app waits for it; 0 =
## no buffering (the app writes at its client's pace). Default: 128MB.
# corral.app.responseBufferMax=128MB

## True: a request's body is read whole (memory, then a temporary file) before a process is taken,
## so a slow upload holds none; false: it streams to the app as it comes. Default: true.
# corral.app.bufferRequestBody=true

## The largest request body accepted; a larger one is answered 413 (at once when its Content-Length
## says so); 0 = no limit. Default: 100MB.
# corral.app.maxRequestBody=100MB

## The time a client has to send its whole request body (with bufferRequestBody); past it: 408.
## Default: 60s.
# corral.app.clientBodyTimeout=60s

## Where the buffers' temporary files go (each private, 0600, and unlinked as soon as it is made);
## made 0700 if missing. Default: (<runDir>/buffers).
# corral.app.bufferDir=/var/tmp/corral

## Faults to inject at Corral's own I/O seams (see Fault simulation). Default: (none).
# corral.app.faults=connect:0.02,latency:0.05@200ms

## The fault injector's seed, logged at start-up, to replay a run. Default: (random).
# corral.app.faultSeed=42
# end::documentation[]
