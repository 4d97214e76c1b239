# Sourced by scripts and tests that need an HTTPS/WSS endpoint in front of a local plain-HTTP server (the
# emulator): fal's clients only speak https:// and wss://. A throwaway CA and server certificate (openssl),
# and nginx on a random 127.0.0.1 port with TLS, HTTP/2 and HTTP/1.1 (ALPN h2, http/1.1), proxying everything,
# WebSocket upgrades included, to one upstream. Needs nginx (Debian's nginx-light: `make system-deps`) and openssl.
#
# Everything lives in one directory, so a front can be started by one process and stopped by another:
#
#   source scripts/lib/tls-front.sh
#   dir=$(mktemp -d)
#   tls_front_make_ca "$dir"                 # $dir/ca.pem, $dir/ca.key
#   tls_front_make_cert "$dir"               # $dir/server.pem, $dir/server.key for 127.0.0.1, ::1 and localhost
#   tls_front_start "$dir" 127.0.0.1:8080    # sets TLS_FRONT_PORT and TLS_FRONT_URL (https://127.0.0.1:PORT)
#   SSL_CERT_FILE="$dir/ca.pem" curl --http2 "$TLS_FRONT_URL/…"   # clients trust $dir/ca.pem
#   tls_front_stop "$dir"
#
# Logs: $dir/nginx-error.log and $dir/nginx-access.log (nginx's combined format, then four fields: the HTTP
# version, the connection's serial number, the requests on it so far, and r/. for a resumed TLS session or a
# full handshake). Bodies and responses are streamed both ways (no
# buffering, no size limit), so uploads and server-sent events pass through as they are; idle upstream reads
# time out after an hour. TLS_FRONT_PROXY_BUFFER sets nginx's proxy_buffer_size, the chunk an upgraded
# (WebSocket) connection is relayed in (default: nginx's, one page). TLS_FRONT_HTTP2=off: ALPN offers http/1.1 only.

# tls_front_make_ca DIR: a CA certificate and key valid for two days.
tls_front_make_ca() {
    local dir="$1"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=fal SDK test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        >"$dir/openssl.log" 2>&1 || { echo "tls-front: could not make the CA:" >&2; cat "$dir/openssl.log" >&2; return 1; }
}

# tls_front_make_cert DIR: a server certificate for 127.0.0.1, ::1 and localhost, signed by DIR's CA.
tls_front_make_cert() {
    local dir="$1"
    cat >"$dir/server.ext" <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EOF
    {
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
            -keyout "$dir/server.key" -out "$dir/server.csr" &&
            openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
                -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem"
    } >"$dir/openssl.log" 2>&1 || { echo "tls-front: could not make the server certificate:" >&2; cat "$dir/openssl.log" >&2; return 1; }
}

# tls_front_make_test_set DIR: what the TLS tests need: DIR's CA and its certificate for 127.0.0.1 (as above),
# DIR/other-name (the same CA's certificate for fal.example only) and DIR/untrusted (another CA's certificate
# for 127.0.0.1); each folder holds ca.pem, server.pem and server.key.
tls_front_make_test_set() {
    local dir="$1" other="$1/other-name"
    tls_front_make_ca "$dir" && tls_front_make_cert "$dir" || return 1
    mkdir -p "$dir/untrusted" "$other"
    tls_front_make_ca "$dir/untrusted" && tls_front_make_cert "$dir/untrusted" || return 1
    cp "$dir/ca.pem" "$other/ca.pem"
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:fal.example\n' >"$other/server.ext"
    {
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=fal.example" \
            -keyout "$other/server.key" -out "$other/server.csr" &&
            openssl x509 -req -in "$other/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
                -days 2 -extfile "$other/server.ext" -out "$other/server.pem"
    } >"$other/openssl.log" 2>&1 || { echo "tls-front: could not make the other-name certificate:" >&2; cat "$other/openssl.log" >&2; return 1; }
}

# The nginx binary: PATH first, then where Debian puts it (sbin is not on every user's PATH).
_tls_front_nginx() {
    command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || return 1
}

# _tls_front_config DIR UPSTREAM PORT: writes DIR/nginx.conf.
_tls_front_config() {
    local dir="$1" upstream="$2" port="$3" nginx version listen http2 user=""
    nginx="$(_tls_front_nginx)"
    # nginx 1.25.1 replaced `listen … http2` with the `http2 on` directive (the old form still works, with a warning).
    version="$("$nginx" -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
    if [ "${TLS_FRONT_HTTP2:-on}" = off ]; then
        listen="listen 127.0.0.1:$port ssl;"; http2=""  # ALPN offers http/1.1 only
    elif printf '%s\n%s\n' "1.25.1" "$version" | sort -V -C; then
        listen="listen 127.0.0.1:$port ssl;"; http2="http2 on;"
    else
        listen="listen 127.0.0.1:$port ssl http2;"; http2=""
    fi
    # As root, workers would run as nobody and could not write the temp folders inside DIR.
    [ "$(id -u)" = 0 ] && user="user root;"
    mkdir -p "$dir/nginx-temp"
    cat >"$dir/nginx.conf" <<EOF
$user
worker_processes 1;
# A graceful stop (tls_front_stop) waits this long for open connections (WebSockets) before closing them.
worker_shutdown_timeout 3s;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;
events { worker_connections 1024; }
http {
    # nginx's combined format, then the protocol, the connection's serial number and its request count, and
    # whether the TLS session was resumed (r) or a full handshake (.): connections and handshakes can be counted.
    log_format tls_front '\$remote_addr - \$remote_user [\$time_local] "\$request" \$status \$body_bytes_sent '
                         '"\$http_referer" "\$http_user_agent" \$server_protocol \$connection \$connection_requests '
                         '\$ssl_session_reused';
    access_log $dir/nginx-access.log tls_front;
    client_body_temp_path $dir/nginx-temp/body;
    proxy_temp_path $dir/nginx-temp/proxy;
    fastcgi_temp_path $dir/nginx-temp/fastcgi;
    uwsgi_temp_path $dir/nginx-temp/uwsgi;
    scgi_temp_path $dir/nginx-temp/scgi;
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_buffering off;
    ${TLS_FRONT_PROXY_BUFFER:+proxy_buffer_size $TLS_FRONT_PROXY_BUFFER; proxy_buffers 4 $TLS_FRONT_PROXY_BUFFER; proxy_busy_buffers_size $TLS_FRONT_PROXY_BUFFER;}
    # Upgrade requests keep their Connection: upgrade; others reuse upstream connections. Upgrades go on a fresh
    # upstream connection: the emulator's server (Hummingbird) upgrades only a connection's first request and
    # answers a later one with 307 and Connection: close, which nginx would pass to the WebSocket client.
    map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
    map \$http_upgrade \$tls_front_pool { default tls_front_fresh; '' tls_front_upstream; }
    upstream tls_front_upstream { server $upstream; keepalive 16; }
    upstream tls_front_fresh { server $upstream; }
    server {
        $listen
        $http2
        server_name localhost;
        ssl_certificate $dir/server.pem;
        ssl_certificate_key $dir/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://\$tls_front_pool;
            proxy_http_version 1.1;
            proxy_set_header Host \$http_host;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header X-Forwarded-Proto https;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }
    }
}
EOF
}

# tls_front_start DIR UPSTREAM: starts nginx (DIR must hold the certificates) proxying to UPSTREAM (host:port),
# waits at most 10 s for it to accept connections, and sets TLS_FRONT_PORT, TLS_FRONT_URL and TLS_FRONT_PID
# (also written to DIR/port). Tries up to 10 random ports; returns 1 with nginx's log when it cannot start.
tls_front_start() {
    local dir="$1" upstream="${2#http://}" nginx attempt port pid
    nginx="$(_tls_front_nginx)" || { echo "tls-front: nginx is not installed (make system-deps installs it)" >&2; return 1; }
    upstream="${upstream%/}"
    for attempt in $(seq 1 10); do
        port=$((20000 + RANDOM % 40000))
        _tls_front_config "$dir" "$upstream" "$port"
        : >"$dir/nginx-error.log"
        "$nginx" -e "$dir/nginx-error.log" -c "$dir/nginx.conf" -p "$dir" -g 'daemon off;' </dev/null >>"$dir/nginx-error.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do
            if ! kill -0 "$pid" 2>/dev/null; then break; fi
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                TLS_FRONT_PORT="$port"
                TLS_FRONT_URL="https://127.0.0.1:$port"
                TLS_FRONT_PID="$pid"
                echo "$port" >"$dir/port"
                echo "$pid" >"$dir/front.pid"
                return 0
            fi
            sleep 0.1
        done
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        grep -q "Address already in use" "$dir/nginx-error.log" || break
    done
    echo "tls-front: nginx did not start (attempt $attempt):" >&2
    cat "$dir/nginx-error.log" >&2
    return 1
}

# tls_front_stop DIR: stops the front started in DIR (QUIT lets open requests finish, for at most 5 s, then
# TERM, then KILL); safe to call again or when none was started.
tls_front_stop() {
    local dir="$1" pid
    pid="$(cat "$dir/front.pid" 2>/dev/null)" || return 0
    [ -n "$pid" ] || return 0
    kill -QUIT "$pid" 2>/dev/null || { rm -f "$dir/front.pid"; return 0; }
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null && sleep 0.5
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$dir/front.pid"
}
